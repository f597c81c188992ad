/**
 * A trial's states and the moves between them, stated once for every layer: samplers and
 * pruners read the state names, and both storage backends build their SQL and checks from
 * `TRANSITIONS`, so a rule changed here changes everywhere.
 *
 *   (new) ──enqueue──▶ queued ──start──▶ running ──finish──▶ complete | pruned | failed
 *                        ▲                  │
 *                        └─────release──────┘   (also recovery of a dead run's trials)
 *
 * Each start is a claim with its own random token. The writes of the run holding the trial
 * (params, steps, finish, release) name it, so a run whose trial was taken over while it
 * stalled cannot write into the claim that replaced its own.
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
 * params the sampler drew: clearing them keeps the params an enqueued trial was given (only
 * those: the ones the sampler filled in are drawn afresh).
 */
export type TrialField =
  | 'owner' | 'token' | 'startedAt' | 'heartbeatAt' | 'endedAt'
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
  /**
   * Whether the write names the claim's token: only the run holding the trial's current claim may
   * make it. A write naming a claim that was taken over changes nothing (E_TRIAL_TAKEN_OVER).
   */
  readonly guarded: boolean;
}

const UNFINISHED: readonly TrialState[] = ['queued', 'running'];

export const TRANSITIONS = {
  /**
   * A claim hands out a queued trial with a new token, the claim's random id; its clock starts,
   * and it has not yet beaten.
   */
  start: { from: ['queued'], to: ['running'], sets: ['owner', 'token', 'startedAt'], clears: ['heartbeatAt'], deletesSteps: false, guarded: false },
  /**
   * What the sampler chose, and the clock restarted (sampling may have waited). Allowed while
   * queued too, for a trial whose params are filled in before it is claimed.
   */
  sample: { from: UNFINISHED, to: null, sets: ['params', 'samplerState', 'seed', 'startedAt'], clears: [], deletesSteps: false, guarded: true },
  /**
   * Params its objective asked for while it runs (define-by-run), added to those it was given:
   * only while it runs, and only by the run holding it.
   */
  suggest: { from: ['running'], to: null, sets: ['params'], clears: [], deletesSteps: false, guarded: true },
  /**
   * The owner's run is alive: only running trials beat (other processes read it in recovery).
   * By owner, not token: a run beats for all its trials at once, and one taken over has another owner.
   */
  beat: { from: ['running'], to: null, sets: ['heartbeatAt'], clears: [], deletesSteps: false, guarded: false },
  /** An intermediate step: only an unfinished trial's curve may grow. */
  report: { from: UNFINISHED, to: null, sets: [], clears: [], deletesSteps: false, guarded: true },
  /**
   * Given back (the run stops, or its owner died): queued again with its number and sample
   * index, to be sampled afresh (same index, so the same params) by whoever claims it next.
   * Its claim ends: the old token no longer writes to it. Recovery (the takeover of a dead run's
   * trials) makes this move without naming the token.
   */
  release: {
    from: ['running'], to: ['queued'], sets: [],
    clears: ['owner', 'token', 'startedAt', 'heartbeatAt', 'params', 'samplerState'], deletesSteps: true, guarded: true,
  },
  /**
   * The end: the result is recorded and the trial never changes again. The token stays, so a
   * later write naming another claim is told the trial was taken over, not just that it ended.
   */
  finish: {
    from: UNFINISHED, to: FINISHED_STATES, sets: ['value', 'metrics', 'attrs', 'error', 'endedAt'], clears: [], deletesSteps: false, guarded: true,
  },
} as const satisfies Record<string, TrialTransition>;

export type TransitionName = keyof typeof TRANSITIONS;

/** Whether a trial in `state` may take `transition`. */
export function allows(transition: TransitionName, state: TrialState): boolean {
  return (TRANSITIONS[transition].from as readonly TrialState[]).includes(state);
}
