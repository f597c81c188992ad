import { HpsearchError } from '../errors.js';
import { allows, isFinished, TRANSITIONS, type TransitionName, type TrialField, type TrialState, type TrialTransition } from '../trial-state.js';

/**
 * The transition table (src/trial-state.ts) as SQL, for both backends: which rows a transition
 * may touch (`state IN (...)` of its from-states) and its SET list (the new state, the fields it
 * sets, the fields it clears). Only constants are spliced; values stay bound by each backend.
 */

/** Each field's column in `trials`, and what clearing it writes. */
const COLUMNS: Record<TrialField, { column: string; cleared: string }> = {
  owner: { column: 'owner', cleared: 'NULL' },
  token: { column: 'claim_token', cleared: 'NULL' },
  startedAt: { column: 'started_at', cleared: 'NULL' },
  heartbeatAt: { column: 'heartbeat_at', cleared: 'NULL' },
  endedAt: { column: 'ended_at', cleared: 'NULL' },
  // Drawn params are forgotten. An enqueued trial (no sample index) goes back to the params it was
  // given, without those the sampler filled in; one `hpsearch copy` imported has none kept apart.
  params: { column: 'params_json', cleared: "CASE WHEN sample_index IS NULL THEN COALESCE(enqueued_params_json, params_json) ELSE '{}' END" },
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
 * How a guarded write names its claim: the SQL of the token it holds (a placeholder; NULL names
 * no claim, which matches only a trial nobody holds), or `takeover` for recovery, which takes
 * trials from runs that stopped beating whatever their token.
 */
export type Guard = { token: string } | 'takeover';

/**
 * `UPDATE trials SET ... WHERE <where> AND state IN (...)` for a transition. `values` holds the
 * SQL (placeholders, expressions) for exactly the fields the table says it sets, plus `state`
 * when it may end in several states; a guarded transition needs its guard, which adds
 * `AND claim_token IS NOT DISTINCT FROM <token>`. A mismatch throws at startup, so the
 * backends' statements cannot drift from the table.
 */
export function transitionUpdate(
  name: TransitionName, where: string, values: Partial<Record<TrialField | 'state', string>>, guard?: Guard,
): string {
  const transition: TrialTransition = TRANSITIONS[name];
  if (transition.guarded !== (guard !== undefined)) {
    throw new Error(`transition "${name}" ${transition.guarded ? 'names the claim token: give its guard' : 'is not guarded: give no guard'}`);
  }
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
  const held = guard === undefined || guard === 'takeover' ? '' : ` AND ${holds(guard.token)}`;
  return `UPDATE trials SET ${assignments.join(', ')} WHERE ${where} AND ${fromStates(name)}${held}`;
}

/** The condition that a trial's claim is the one `token` (SQL) names; NULL-safe in both backends. */
function holds(token: string): string {
  return `claim_token IS NOT DISTINCT FROM ${token}`;
}

/** Whether a finish may end in `state`; E_USAGE naming the allowed ones if not. */
export function checkFinishState(state: TrialState): void {
  const allowed: readonly TrialState[] = TRANSITIONS.finish.to;
  if (!allowed.includes(state)) {
    throw new HpsearchError('E_USAGE', `a trial can only finish as ${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)}, not ${String(state)}`);
  }
}

/** What a refusal reads of the trial a write changed no row of. */
export interface ClaimRow {
  number: number;
  state: TrialState;
  owner: string | null;
  claim_token: string | null;
}

/**
 * Why a transition changed no row (`found` undefined: no such trial), in this order: it does not
 * exist; its claim is no longer the one the write named (another run took it over); it already
 * finished (finished trials never change); another run holds it and the write named no claim;
 * or it is in a state the transition does not leave (e.g. releasing a queued trial).
 */
export function refusal(name: TransitionName, trialId: number, found: ClaimRow | undefined, token: string | null, location: string): HpsearchError {
  if (found === undefined) return new HpsearchError('E_TRIAL_NOT_FOUND', `no trial with id ${trialId} in ${location}`);
  const { number, state } = found;
  if (TRANSITIONS[name].guarded && token !== null && found.claim_token !== token) {
    return new HpsearchError('E_TRIAL_TAKEN_OVER',
      `trial ${number} was taken over by another run (this run's heartbeats stopped for longer than --stale-after); this write was dropped`);
  }
  if (isFinished(state)) return new HpsearchError('E_TRIAL_FINISHED', `trial ${number} already finished (${state}); finished trials cannot change`);
  if (TRANSITIONS[name].guarded && token === null && found.claim_token !== null) {
    return new HpsearchError('E_USAGE',
      `trial ${number} is ${state}, claimed by the run ${found.owner ?? 'of another process'}; only that run can write to it (use the trial study.ask() returned)`);
  }
  return new HpsearchError('E_USAGE', `trial ${number} is ${state}; only a trial that is ${TRANSITIONS[name].from.join(' or ')} can ${verb(name)}`);
}

/** Whether a guarded write may go ahead: the trial is in a from-state and its claim is the one named. */
export function mayWrite(name: TransitionName, found: ClaimRow | undefined, token: string | null): found is ClaimRow {
  return found !== undefined && allows(name, found.state) && found.claim_token === token;
}

function verb(name: TransitionName): string {
  switch (name) {
    case 'start': return 'be started';
    case 'beat': return 'beat';
    case 'sample': return 'be given params';
    case 'suggest': return 'be given the params its objective asks for';
    case 'report': return 'report steps';
    case 'release': return 'be released';
    case 'finish': return 'be finished';
  }
}
