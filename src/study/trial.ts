import type { SamplerState } from '../samplers/sampler.js';
import type { Params, Metrics } from '../space/types.js';
import type { TrialFinish } from '../storage/storage.js';

/** A trial handed out by `study.ask()`: run it, then `study.tell()` how it went. */
export interface AskedTrial {
  readonly id: number;
  /** The claim's token: the storage takes this trial's writes only from the claim that names it. */
  readonly token: string;
  readonly number: number;
  /** Its params: those drawn when it was asked for, and those its objective has asked for since (`study.suggest`). */
  readonly params: Params;
  readonly seed: number;
  /** What the sampler recorded with it (e.g. narrowing's round); `{}` for a trial enqueued with all its params. */
  readonly samplerState: SamplerState;
  /** Stores intermediate metrics at `step`. */
  report(step: number, metrics: Metrics): Promise<void>;
}

/** What `study.tell()` accepts: the objective's value, `{ value, metrics }`, or an explicit end. */
export type TellResult = number | { value: number; metrics?: Metrics } | TrialFinish;

export function toTrialFinish(result: TellResult): TrialFinish {
  if (typeof result === 'number') return { state: 'complete', value: result };
  if ('state' in result) return result;
  return { state: 'complete', value: result.value, metrics: result.metrics ?? null };
}
