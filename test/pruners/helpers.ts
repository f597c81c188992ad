import { HpsearchError } from '../../src/errors.js';
import type { PeerValue, PruneContext, PruneDecision, Pruner } from '../../src/pruners/pruner.js';
import type { Direction } from '../../src/space/types.js';
import type { TrialState } from '../../src/trial-state.js';

/** A hand-made trial of the study: its number, state and curve (step → value). */
export interface SyntheticTrial {
  number: number;
  state: TrialState;
  curve: ReadonlyMap<number, number>;
}

/** values[i] at step first + i. */
export function curveOf(values: readonly number[], first = 1): Map<number, number> {
  return new Map(values.map((v, i) => [first + i, v]));
}

/** One trial per value, each reporting only `value` at `step`; numbered from `firstNumber`. */
export function peersWith(step: number, values: readonly number[], state: TrialState = 'complete', firstNumber = 100): SyntheticTrial[] {
  return values.map((v, i) => ({ number: firstNumber + i, state, curve: new Map([[step, v]]) }));
}

/** One trial per value, each reporting that same value at every step of `steps`. */
export function flatPeers(steps: readonly number[], values: readonly number[], state: TrialState = 'complete', firstNumber = 100): SyntheticTrial[] {
  return values.map((v, i) => ({ number: firstNumber + i, state, curve: new Map(steps.map((s) => [s, v])) }));
}

export interface ContextInput {
  curve: ReadonlyMap<number, number>;
  /** Default: the curve's last step. */
  step?: number;
  peers?: readonly SyntheticTrial[];
  direction?: Direction;
  trial?: number;
  study?: string;
}

/** A PruneContext over synthetic trials; peersAt leaves the trial itself out, as storage does. */
export function makeContext(input: ContextInput): PruneContext {
  const trial = input.trial ?? 0;
  const peers = input.peers ?? [];
  return {
    study: input.study ?? 'study',
    direction: input.direction ?? 'maximize',
    trial,
    step: input.step ?? Math.max(...input.curve.keys()),
    curve: input.curve,
    async peersAt(step: number): Promise<readonly PeerValue[]> {
      const out: PeerValue[] = [];
      for (const p of peers) {
        const value = p.curve.get(step);
        if (p.number !== trial && value !== undefined) out.push({ number: p.number, state: p.state, value });
      }
      return out;
    },
  };
}

export function decide(pruner: Pruner, input: ContextInput): Promise<PruneDecision> {
  return pruner.decide(makeContext(input));
}

/** The reason when pruned, null when kept (so one `toBe` checks both). */
export async function reasonOf(pruner: Pruner, input: ContextInput): Promise<string | null> {
  const decision = await decide(pruner, input);
  return decision.prune ? decision.reason : null;
}

/**
 * Replays the trial's curve step by step, as the engine would (the curve holding the steps up to
 * each one), and returns the steps at which the pruner says prune (it carries on after one).
 */
export async function pruneSteps(pruner: Pruner, input: Omit<ContextInput, 'step'>): Promise<number[]> {
  const steps = [...input.curve.keys()].sort((a, b) => a - b);
  const pruned: number[] = [];
  for (const step of steps) {
    const curve = new Map([...input.curve].filter(([s]) => s <= step));
    if ((await decide(pruner, { ...input, curve, step })).prune) pruned.push(step);
  }
  return pruned;
}

/** `E_USAGE <message>` of the HpsearchError `fn` throws, or 'no error'. */
export function thrownBy(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof HpsearchError)) throw error;
    return `${error.code} ${error.message}`;
  }
  return 'no error';
}
