/**
 * Optuna's per-trial cost on the conditional space and its flat twin, with 1,000 finished trials
 * in an in-memory study (optuna_conditional_cost.py): the same histories as hpsearch's, measured
 * in the same run. TPESampler univariate and multivariate (group=True), and RandomSampler on the
 * conditional space for what ask, the suggest calls and tell cost without a model.
 */
import { z } from 'zod';
import type { Params } from '../../src/space/types.js';
import type { Reference } from '../report.js';
import { runPythonWithInput } from './python-reference.js';

const SPACES = ['conditional', 'flat'] as const;
const SAMPLERS = ['univariate', 'multivariate', 'random'] as const;
export type OptunaSpace = (typeof SPACES)[number];
export type OptunaTpe = Exclude<(typeof SAMPLERS)[number], 'random'>;

const Config = z.object({
  space: z.enum(SPACES),
  sampler: z.enum(SAMPLERS),
  trials: z.number().int(),
  unit: z.literal('ms/trial'),
  samples: z.array(z.number()).min(1),
  median: z.number(),
  /** Params asked per trial, on average. */
  params: z.number(),
});
const Output = z.object({ optuna: z.string(), python: z.string(), history: z.number().int(), configs: z.array(Config).length(5) });

type Config = z.infer<typeof Config>;

export type OptunaConditionalCost =
  | { measured: true; optuna: string; python: string; history: number; configs: Config[] }
  | { measured: false; reason: string };

type History = readonly { params: Params; value: number }[];

/** Under a minute: 5 configs × `repeats` × (adding the history, then `trials` trials). */
export async function measureOptunaConditional(histories: Record<OptunaSpace, History>, trials: number, repeats: number): Promise<OptunaConditionalCost> {
  const result = await runPythonWithInput(
    { script: 'optuna_conditional_cost.py', args: ['--trials', String(trials), '--repeats', String(repeats)], timeoutMs: 10 * 60_000, output: Output },
    { flag: 'history', data: histories },
  );
  if (!result.ok) return { measured: false, reason: result.reason };
  return { measured: true, ...result.output, python: result.python };
}

const LABELS = { univariate: 'TPESampler', multivariate: 'TPESampler(multivariate=True, group=True)' } as const;

/** Optuna's TPE on one space, ms per trial (ask + the branch's suggest calls + tell), as an hpsearch row's reference. */
export function optunaConditionalReference(cost: OptunaConditionalCost, space: OptunaSpace, sampler: OptunaTpe): Reference {
  const what = `${LABELS[sampler]}, ${space} space, in-memory study: ask + suggests + tell`;
  if (!cost.measured) return { label: `Optuna's ${what}`, measured: false, reason: cost.reason };
  const of = (s: OptunaSpace, k: (typeof SAMPLERS)[number]) => cost.configs.find((c) => c.space === s && c.sampler === k)!;
  const config = of(space, sampler);
  const random = of('conditional', 'random');
  return {
    label: `Optuna ${cost.optuna}'s ${what}`,
    value: config.median,
    unit: 'ms/trial',
    measured: true,
    samples: config.samples,
    details: {
      python: cost.python,
      optuna: cost.optuna,
      storage: 'in-memory',
      history: cost.history,
      trials: config.trials,
      asked_per_trial: config.params,
      random_sampler_same_loop_ms_per_trial: random.median,
    },
  };
}
