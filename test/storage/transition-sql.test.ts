import { describe, expect, it } from 'vitest';
import { fromStates, refusal, transitionUpdate } from '../../src/storage/transition-sql.js';
import type { TrialState } from '../../src/trial-state.js';

describe('the transition table as SQL', () => {
  it('builds an UPDATE from the table: new state, the given values, the cleared columns, the from-states', () => {
    expect(transitionUpdate('release', 'id = ?', {}, { token: '?' })).toBe(
      "UPDATE trials SET state = 'queued', owner = NULL, claim_token = NULL, started_at = NULL, heartbeat_at = NULL, " +
        "params_json = CASE WHEN sample_index IS NULL THEN COALESCE(enqueued_params_json, params_json) ELSE '{}' END, sampler_state = '{}' " +
        'WHERE id = ? AND state IN (\'running\') AND claim_token IS NOT DISTINCT FROM ?',
    );
    expect(transitionUpdate('start', 'id = $1', { owner: '$2', token: '$3', startedAt: '$4' })).toBe(
      "UPDATE trials SET state = 'running', owner = $2, claim_token = $3, started_at = $4, heartbeat_at = NULL WHERE id = $1 AND state IN ('queued')",
    );
    // Recovery takes trials over whatever their claim.
    expect(transitionUpdate('release', 'id = ?', {}, 'takeover')).toMatch(/WHERE id = \? AND state IN \('running'\)$/);
    expect(fromStates('finish')).toBe("state IN ('queued', 'running')");
  });

  it('refuses a statement that sets other fields than the table says', () => {
    expect(() => transitionUpdate('start', 'id = ?', { owner: '?' })).toThrow(/sets owner, startedAt, token, but its statement gives owner/);
    expect(() => transitionUpdate('release', 'id = ?', { owner: '?' }, 'takeover')).toThrow(/sets nothing/);
    // Several end states: the statement must bind the one it picks.
    expect(() => transitionUpdate('finish', 'id = ?', { value: '?', metrics: '?', attrs: '?', error: '?', endedAt: '?' }, { token: '?' })).toThrow(/state/);
  });

  it('refuses a guarded write without its guard, and an unguarded one with a guard', () => {
    expect(() => transitionUpdate('report', 'id = ?', {})).toThrow(/names the claim token/);
    expect(() => transitionUpdate('beat', 'owner = ?', { heartbeatAt: '?' }, { token: '?' })).toThrow(/is not guarded/);
  });

  it("explains a refused transition by the trial's claim, then its state", () => {
    const row = (state: TrialState, claim: string | null) => ({ number: 3, state, owner: 'h:1:n', claim_token: claim });
    expect(refusal('finish', 7, undefined, 't', 'db')).toMatchObject({ code: 'E_TRIAL_NOT_FOUND', message: 'no trial with id 7 in db' });
    expect(refusal('finish', 7, row('pruned', 't'), 't', 'db')).toMatchObject({ code: 'E_TRIAL_FINISHED', message: expect.stringMatching(/^trial 3 already finished \(pruned\)/) });
    // Another claim's, whatever the state: it was taken over.
    for (const state of ['running', 'queued', 'complete'] as const) {
      expect(refusal('report', 7, row(state, state === 'queued' ? null : 'other'), 't', 'db')).toMatchObject({ code: 'E_TRIAL_TAKEN_OVER' });
    }
    expect(refusal('finish', 7, row('running', 'other'), null, 'db')).toMatchObject({ code: 'E_USAGE', message: expect.stringContaining('claimed by the run h:1:n') });
    expect(refusal('release', 7, row('queued', null), null, 'db')).toMatchObject({ code: 'E_USAGE', message: 'trial 3 is queued; only a trial that is running can be released' });
  });
});
