// `hpsearch/tfjs`: what objective modules use with TF.js. Re-exports only; it imports no TF.js.
export { pruningCallback } from './pruning-callback.js';
export type { PruningCallback, PruningCallbackOptions } from './pruning-callback.js';
