import type { TaskSpec, BackendName } from '../types.js';

/**
 * The messages between a run and the child process that times a model's training steps on one
 * backend (measure-child.ts): the child gets one request and answers once, then exits.
 */
export interface MeasureRequest {
  type: 'measure';
  task: TaskSpec;
  backend: BackendName;
  studySeed: number;
  /** Training steps per timed epoch. */
  steps: number;
  /** Trials trained together as one pack (1: one trial alone); msPerStep is then per trial. */
  pack: number;
}

export type MeasureAnswer =
  | { type: 'measured'; backend: BackendName; msPerStep: number }
  | { type: 'failed'; backend: BackendName; error: string };
