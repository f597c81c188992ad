import { describe, expect, it } from 'vitest';
import { fromStates, refusal, transitionUpdate } from '../../src/storage/transition-sql.js';

describe('the transition table as SQL', () => {
  it('builds an UPDATE from the table: new state, the given values, the cleared columns, the from-states', () => {
    expect(transitionUpdate('release', 'id = ?', {})).toBe(
      "UPDATE trials SET state = 'queued', owner = NULL, started_at = NULL, heartbeat_at = NULL, " +
        "params_json = CASE WHEN sample_index IS NULL THEN params_json ELSE '{}' END, sampler_state = '{}' WHERE id = ? AND state IN ('running')",
    );
    expect(transitionUpdate('start', 'id = $1', { owner: '$2', startedAt: '$3' })).toBe(
      "UPDATE trials SET state = 'running', owner = $2, started_at = $3, heartbeat_at = NULL WHERE id = $1 AND state IN ('queued')",
    );
    expect(fromStates('finish')).toBe("state IN ('queued', 'running')");
  });

  it('refuses a statement that sets other fields than the table says', () => {
    expect(() => transitionUpdate('start', 'id = ?', { owner: '?' })).toThrow(/sets owner, startedAt, but its statement gives owner/);
    expect(() => transitionUpdate('release', 'id = ?', { owner: '?' })).toThrow(/sets nothing/);
    // Several end states: the statement must bind the one it picks.
    expect(() => transitionUpdate('finish', 'id = ?', { value: '?', metrics: '?', attrs: '?', error: '?', endedAt: '?' })).toThrow(/state/);
  });

  it('explains a refused transition by the trial\'s state', () => {
    expect(refusal('finish', 7, undefined, 'db')).toMatchObject({ code: 'E_TRIAL_NOT_FOUND' });
    expect(refusal('finish', 7, 'pruned', 'db')).toMatchObject({ code: 'E_TRIAL_FINISHED', message: expect.stringMatching(/already finished \(pruned\)/) });
    expect(refusal('release', 7, 'queued', 'db')).toMatchObject({ code: 'E_USAGE', message: 'trial 7 is queued; only a trial that is running can be released' });
  });
});
