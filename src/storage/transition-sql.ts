import { HpsearchError } from '../errors.js';
import { isFinished, TRANSITIONS, type TransitionName, type TrialField, type TrialState } from '../trial-state.js';

/**
 * The transition table (src/trial-state.ts) as SQL, for both backends: which rows a transition
 * may touch (`state IN (...)` of its from-states) and its SET list (the new state, the fields it
 * sets, the fields it clears). Only constants are spliced; values stay bound by each backend.
 */

/** Each field's column in `trials`, and what clearing it writes. */
const COLUMNS: Record<TrialField, { column: string; cleared: string }> = {
  owner: { column: 'owner', cleared: 'NULL' },
  startedAt: { column: 'started_at', cleared: 'NULL' },
  heartbeatAt: { column: 'heartbeat_at', cleared: 'NULL' },
  endedAt: { column: 'ended_at', cleared: 'NULL' },
  // Drawn params are forgotten; a trial enqueued by hand (no sample index) keeps the ones it was given.
  params: { column: 'params_json', cleared: "CASE WHEN sample_index IS NULL THEN params_json ELSE '{}' END" },
  samplerState: { column: 'sampler_state', cleared: "'{}'" },
  seed: { column: 'seed', cleared: 'NULL' },
  value: { column: 'value', cleared: 'NULL' },
  metrics: { column: 'metrics_json', cleared: 'NULL' },
  attrs: { column: 'attrs_json', cleared: 'NULL' },
  error: { column: 'error', cleared: 'NULL' },
};

function quoted(states: readonly TrialState[]): string {
  return states.map((state) => `'${state}'`).join(', ');
}

/** `state IN (...)`: the rows in a state the transition may leave. */
export function fromStates(name: TransitionName): string {
  return `state IN (${quoted(TRANSITIONS[name].from)})`;
}

/**
 * `UPDATE trials SET ... WHERE <where> AND state IN (...)` for a transition. `values` holds the
 * SQL (placeholders, expressions) for exactly the fields the table says it sets, plus `state`
 * when it may end in several states; a mismatch throws at startup, so the backends' statements
 * cannot drift from the table.
 */
export function transitionUpdate(name: TransitionName, where: string, values: Partial<Record<TrialField | 'state', string>>): string {
  const transition: { to: readonly TrialState[] | null; sets: readonly TrialField[]; clears: readonly TrialField[] } = TRANSITIONS[name];
  const wantsState = transition.to !== null && transition.to.length > 1;
  const expected = [...transition.sets, ...(wantsState ? ['state'] : [])].sort();
  const given = Object.keys(values).sort();
  if (expected.join() !== given.join()) {
    throw new Error(`transition "${name}" sets ${expected.join(', ') || 'nothing'}, but its statement gives ${given.join(', ') || 'nothing'}`);
  }
  const state = transition.to === null ? [] : [`state = ${wantsState ? values.state! : quoted(transition.to)}`];
  const assignments = [
    ...state,
    ...transition.sets.map((field) => `${COLUMNS[field].column} = ${values[field]!}`),
    ...transition.clears.map((field) => `${COLUMNS[field].column} = ${COLUMNS[field].cleared}`),
  ];
  return `UPDATE trials SET ${assignments.join(', ')} WHERE ${where} AND ${fromStates(name)}`;
}

/** Whether a finish may end in `state`; E_USAGE naming the allowed ones if not. */
export function checkFinishState(state: TrialState): void {
  const allowed: readonly TrialState[] = TRANSITIONS.finish.to;
  if (!allowed.includes(state)) {
    throw new HpsearchError('E_USAGE', `a trial can only finish as ${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)}, not ${String(state)}`);
  }
}

/**
 * Why a transition changed no row, from the trial's state (undefined: no such trial): it does not
 * exist, it already finished (finished trials never change), or it is in a state the transition
 * does not leave (e.g. releasing a queued trial).
 */
export function refusal(name: TransitionName, trialId: number, state: TrialState | undefined, location: string): HpsearchError {
  if (state === undefined) return new HpsearchError('E_TRIAL_NOT_FOUND', `no trial with id ${trialId} in ${location}`);
  if (isFinished(state)) return new HpsearchError('E_TRIAL_FINISHED', `trial ${trialId} already finished (${state}); finished trials cannot change`);
  return new HpsearchError('E_USAGE', `trial ${trialId} is ${state}; only a trial that is ${TRANSITIONS[name].from.join(' or ')} can ${verb(name)}`);
}

function verb(name: TransitionName): string {
  switch (name) {
    case 'start': return 'be started';
    case 'beat': return 'beat';
    case 'sample': return 'be given params';
    case 'report': return 'report steps';
    case 'release': return 'be released';
    case 'finish': return 'be finished';
  }
}
