/**
 * Optuna's per-trial overhead (optuna_overhead.py), measured in the same run as hpsearch's:
 * RandomSampler and TPESampler, each on in-memory storage and on a SQLite file.
 */
import { z } from 'zod';
import type { Reference } from '../report.js';
import { runPythonReference } from './python-reference.js';

const OptunaConfig = z.object({
  sampler: z.enum(['random', 'tpe']),
  storage: z.enum(['memory', 'sqlite']),
  trials: z.number().int(),
  unit: z.literal('ms/trial'),
  samples: z.array(z.number()).min(1),
  median: z.number(),
});
const OptunaOverheadOutput = z.object({ optuna: z.string(), python: z.string(), configs: z.array(OptunaConfig).length(4) });

export type OptunaConfig = z.infer<typeof OptunaConfig>;

export type OptunaOverhead =
  | { measured: true; optuna: string; python: string; configs: OptunaConfig[] }
  | { measured: false; reason: string };

const SAMPLER_NAMES = { random: 'RandomSampler', tpe: 'TPESampler' } as const;
const STORAGE_NAMES = { memory: 'in-memory', sqlite: 'SQLite file' } as const;

export function describeConfig(config: Pick<OptunaConfig, 'sampler' | 'storage'>): string {
  return `${SAMPLER_NAMES[config.sampler]} + ${STORAGE_NAMES[config.storage]}`;
}

/**
 * A few minutes on the 2-core machine: each SQLite trial is ~20 ms of commits. TPE studies are
 * `tpeTrials` long, since a TPE trial's cost grows with the trials before it (at 2,000 trials the
 * four configurations took 14 minutes); their rows say how many trials they had.
 */
export async function measureOptunaOverhead(trials: number, repeats: number, tpeTrials = trials): Promise<OptunaOverhead> {
  const result = await runPythonReference({
    script: 'optuna_overhead.py',
    args: ['--trials', String(trials), '--tpe-trials', String(tpeTrials), '--repeats', String(repeats)],
    timeoutMs: 30 * 60_000,
    output: OptunaOverheadOutput,
  });
  if (!result.ok) return { measured: false, reason: result.reason };
  return { measured: true, ...result.output, python: result.python };
}

/** One configuration as the reference of an hpsearch row. */
export function optunaReference(overhead: OptunaOverhead, wanted: Pick<OptunaConfig, 'sampler' | 'storage'>): Reference {
  const label = `Optuna's time (${describeConfig(wanted)}, 1 process)`;
  if (!overhead.measured) return { label, measured: false, reason: overhead.reason };
  const config = overhead.configs.find((c) => c.sampler === wanted.sampler && c.storage === wanted.storage);
  if (config === undefined) return { label, measured: false, reason: `optuna_overhead.py did not measure ${describeConfig(wanted)}` };
  return {
    label: `Optuna ${overhead.optuna}'s time (${describeConfig(wanted)}, 1 process)`,
    value: config.median,
    unit: config.unit,
    measured: true,
    samples: config.samples,
    details: { python: overhead.python, optuna: overhead.optuna, sampler: SAMPLER_NAMES[config.sampler], storage: config.storage, trials: config.trials },
  };
}
