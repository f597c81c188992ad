import { describe, expect, it } from 'vitest';
import { allows, FINISHED_STATES, isFinished, TRANSITIONS, TRIAL_STATES, type TrialState } from '../src/trial-state.js';

describe('trial states and their transitions', () => {
  it('names five states, three of them final', () => {
    expect(TRIAL_STATES).toEqual(['queued', 'running', 'complete', 'pruned', 'failed']);
    expect(TRIAL_STATES.filter(isFinished)).toEqual([...FINISHED_STATES]);
  });

  it('never leaves a finished state, and every move starts from a known state and ends in one', () => {
    for (const [name, transition] of Object.entries(TRANSITIONS)) {
      expect(transition.from.length, name).toBeGreaterThan(0);
      expect(transition.from.filter((state: TrialState) => isFinished(state)), name).toEqual([]);
      for (const state of [...transition.from, ...(transition.to ?? [])]) expect(TRIAL_STATES, name).toContain(state);
      const cleared: readonly string[] = transition.clears;
      expect(transition.sets.filter((field: string) => cleared.includes(field)), `${name} sets and clears one field`).toEqual([]);
    }
  });

  it('states the run loop’s moves: queued → running → finished, running → queued on release', () => {
    expect(allows('start', 'queued')).toBe(true);
    expect(allows('start', 'running')).toBe(false);
    expect(TRANSITIONS.start.to).toEqual(['running']);
    expect(TRANSITIONS.release).toMatchObject({ from: ['running'], to: ['queued'], deletesSteps: true });
    expect(TRANSITIONS.release.clears).toEqual(expect.arrayContaining(['owner', 'startedAt', 'heartbeatAt', 'params', 'samplerState']));
    expect(TRANSITIONS.finish.to).toEqual(FINISHED_STATES);
    for (const state of FINISHED_STATES) {
      for (const name of Object.keys(TRANSITIONS) as (keyof typeof TRANSITIONS)[]) expect(allows(name, state), `${name} from ${state}`).toBe(false);
    }
  });
});
