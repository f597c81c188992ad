// `hpsearch/tfjs`: what objective modules use with TF.js. Re-exports only; it loads tfjs-layers, no backend.
export { pruningCallback, PruningCallback } from './pruning-callback.js';
export type { PruningCallbackOptions } from './pruning-callback.js';
