/**
 * A trial's states and the moves between them, stated once for every layer: samplers and
 * pruners read the state names, and both storage backends build their SQL and checks from
 * `TRANSITIONS`, so a rule changed here changes everywhere.
 *
 *   (new) ──enqueue──▶ queued ──start──▶ running ──finish──▶ complete | pruned | failed
 *                        ▲                  │
 *                        └─────release──────┘   (also recovery of a dead run's trials)
 *
 * A queued trial may also be finished by hand (`finish` from queued), e.g. to skip it.
 * Finished states are final: no transition leaves them.
 */

export const TRIAL_STATES = ['queued', 'running', 'complete', 'pruned', 'failed'] as const;
export type TrialState = (typeof TRIAL_STATES)[number];

export const FINISHED_STATES = ['complete', 'pruned', 'failed'] as const satisfies readonly TrialState[];
export type FinishedState = (typeof FINISHED_STATES)[number];

export function isFinished(state: TrialState): state is FinishedState {
  return (FINISHED_STATES as readonly TrialState[]).includes(state);
}

/**
 * The facts of a trial a transition writes, named as in the trial record. `params` are the
 * params the sampler drew: clearing them keeps the params of a trial enqueued by hand, which
 * were given, not drawn.
 */
export type TrialField =
  | 'owner' | 'startedAt' | 'heartbeatAt' | 'endedAt'
  | 'params' | 'samplerState' | 'seed'
  | 'value' | 'metrics' | 'attrs' | 'error';

export interface TrialTransition {
  /** The states the trial may be in; from any other the write is refused (E_TRIAL_FINISHED once it finished). */
  readonly from: readonly TrialState[];
  /** The state it ends in; null when the state stays as it was. Several: the caller picks one. */
  readonly to: readonly TrialState[] | null;
  /** Fields given new values. */
  readonly sets: readonly TrialField[];
  /** Fields reset to empty (null, `{}`), so nothing of the attempt that was given up survives. */
  readonly clears: readonly TrialField[];
  /** Whether the reported steps are deleted: a trial given back runs again from its first step. */
  readonly deletesSteps: boolean;
}

const UNFINISHED: readonly TrialState[] = ['queued', 'running'];

export const TRANSITIONS = {
  /** A claim hands out a queued trial; its clock starts, and it has not yet beaten. */
  start: { from: ['queued'], to: ['running'], sets: ['owner', 'startedAt'], clears: ['heartbeatAt'], deletesSteps: false },
  /**
   * What the sampler chose, and the clock restarted (sampling may have waited). Allowed while
   * queued too, for a trial whose params are filled in before it is claimed.
   */
  sample: { from: UNFINISHED, to: null, sets: ['params', 'samplerState', 'seed', 'startedAt'], clears: [], deletesSteps: false },
  /** The owner's run is alive: only running trials beat (other processes read it in recovery). */
  beat: { from: ['running'], to: null, sets: ['heartbeatAt'], clears: [], deletesSteps: false },
  /** An intermediate step: only an unfinished trial's curve may grow. */
  report: { from: UNFINISHED, to: null, sets: [], clears: [], deletesSteps: false },
  /**
   * Given back (the run stops, or its owner died): queued again with its number and sample
   * index, to be sampled afresh (same index, so the same params) by whoever claims it next.
   */
  release: {
    from: ['running'], to: ['queued'], sets: [],
    clears: ['owner', 'startedAt', 'heartbeatAt', 'params', 'samplerState'], deletesSteps: true,
  },
  /** The end: the result is recorded and the trial never changes again. */
  finish: { from: UNFINISHED, to: FINISHED_STATES, sets: ['value', 'metrics', 'attrs', 'error', 'endedAt'], clears: [], deletesSteps: false },
} as const satisfies Record<string, TrialTransition>;

export type TransitionName = keyof typeof TRANSITIONS;

/** Whether a trial in `state` may take `transition`. */
export function allows(transition: TransitionName, state: TrialState): boolean {
  return (TRANSITIONS[transition].from as readonly TrialState[]).includes(state);
}
