/**
 * Optuna's samplers on the synthetic objectives (tpe_synthetic.py), run in the same bench as
 * hpsearch's: TPESampler (defaults), TPESampler(multivariate=True) and RandomSampler, the best
 * value of each seed's study. The script also evaluates its copy of the functions at the points
 * given, for the bench to compare with its own.
 */
import { z } from 'zod';
import type { SyntheticPoint } from '../cases/tpe-functions.js';
import { runPythonWithInput } from './python-reference.js';

export const OPTUNA_SAMPLERS = ['tpe', 'tpe-multivariate', 'random'] as const;
export type OptunaSampler = (typeof OPTUNA_SAMPLERS)[number];

const OptunaRun = z.object({
  function: z.string(),
  sampler: z.enum(OPTUNA_SAMPLERS),
  seeds: z.array(z.number().int()),
  best: z.array(z.number()),
});
const Output = z.object({
  optuna: z.string(),
  python: z.string(),
  checks: z.record(z.string(), z.array(z.number())),
  runs: z.array(OptunaRun),
});

export type OptunaSyntheticRun = z.infer<typeof OptunaRun>;

export type OptunaSynthetic =
  | { measured: true; optuna: string; python: string; checks: Record<string, number[]>; runs: OptunaSyntheticRun[] }
  | { measured: false; reason: string };

/** About a minute on the 2-core machine for 4 functions x 3 samplers x 10 seeds x 60 trials. */
export async function measureOptunaSynthetic(points: readonly SyntheticPoint[], trials: number, seeds: number): Promise<OptunaSynthetic> {
  const result = await runPythonWithInput(
    { script: 'tpe_synthetic.py', args: ['--trials', String(trials), '--seeds', String(seeds)], timeoutMs: 20 * 60_000, output: Output },
    { flag: 'check', data: points },
  );
  if (!result.ok) return { measured: false, reason: result.reason };
  return { measured: true, ...result.output, python: result.python };
}
