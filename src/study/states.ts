export const TRIAL_STATES = ['queued', 'running', 'complete', 'pruned', 'failed'] as const;
export type TrialState = (typeof TRIAL_STATES)[number];

export const FINISHED_STATES: readonly TrialState[] = ['complete', 'pruned', 'failed'];

export function isFinished(state: TrialState): boolean {
  return FINISHED_STATES.includes(state);
}
