/**
 * Optuna's per-trial cost at 1,000 finished trials on a SQLite file (optuna_tpe_cost.py), the
 * same history as hpsearch's, measured in the same run: TPESampler and RandomSampler.
 */
import { z } from 'zod';
import type { Params } from '../../src/space/types.js';
import type { Reference } from '../report.js';
import { runPythonWithInput } from './python-reference.js';

const Config = z.object({
  sampler: z.enum(['tpe', 'random']),
  trials: z.number().int(),
  unit: z.literal('ms/trial'),
  samples: z.array(z.number()).min(1),
  median: z.number(),
});
const Output = z.object({ optuna: z.string(), python: z.string(), history: z.number().int(), configs: z.array(Config).length(2) });

export type OptunaCost =
  | { measured: true; optuna: string; python: string; history: number; configs: z.infer<typeof Config>[] }
  | { measured: false; reason: string };

/** A minute or so: adding the history to Optuna's SQLite study is most of it. */
export async function measureOptunaCost(history: readonly { params: Params; value: number }[], trials: number, repeats: number): Promise<OptunaCost> {
  const result = await runPythonWithInput(
    { script: 'optuna_tpe_cost.py', args: ['--trials', String(trials), '--repeats', String(repeats)], timeoutMs: 20 * 60_000, output: Output },
    { flag: 'history', data: history },
  );
  if (!result.ok) return { measured: false, reason: result.reason };
  return { measured: true, ...result.output, python: result.python };
}

const NAMES = { tpe: 'TPESampler', random: 'RandomSampler' } as const;

/**
 * One sampler's ms/trial as the reference of an hpsearch row; `difference` gives TPE less random,
 * what Optuna's TPE itself costs per trial.
 */
export function optunaCostReference(cost: OptunaCost, wanted: 'tpe' | 'random' | 'difference'): Reference {
  const what = wanted === 'difference' ? 'TPESampler less RandomSampler' : NAMES[wanted];
  const label = `Optuna's ${what} (SQLite file, 1,000 trials)`;
  if (!cost.measured) return { label, measured: false, reason: cost.reason };
  const of = (sampler: 'tpe' | 'random') => cost.configs.find((c) => c.sampler === sampler)!;
  const samples = wanted === 'difference' ? of('tpe').samples.map((ms, i) => ms - (of('random').samples[i] ?? Number.NaN)) : of(wanted).samples;
  return {
    label: `Optuna ${cost.optuna}'s ${what} (SQLite file, ${cost.history.toLocaleString('en')} trials)`,
    value: wanted === 'difference' ? of('tpe').median - of('random').median : of(wanted).median,
    unit: 'ms/trial',
    measured: true,
    samples,
    details: { python: cost.python, optuna: cost.optuna, storage: 'sqlite', history: cost.history, trials: of('tpe').trials },
  };
}
