// Space files name objective kinds: register the built-in ones.
import '../objectives/builtin.js';
import { HpsearchError } from '../errors.js';
import { optimizeStudy, type OptimizeProgress } from '../engine/optimize.js';
import { withOverrides } from '../space/overrides.js';
import type { InterchangeableStrategy } from '../space/search-document.js';
import type { LoadedSpace, SearchSettings } from '../space/types.js';
import type { Storage } from '../storage/storage.js';
import { openStudyFromSpace } from '../study/create.js';
import type { BackendChoice } from '../task/types.js';
import type { CompareStrategy } from './strategies.js';
import type { CompareRun, TrialEndRecord } from './summary.js';

/**
 * Runs an early-stopping study: the same space once per (strategy, seed), each run its own
 * study `<study>.compare.<strategy>.s<seed>` in one database. Seeds are the file's seed, seed+1,
 * ...; for each seed the strategies run in the order given (the reference first), so the same
 * seed gives every strategy the same params and trial seeds per trial number.
 *
 * With `samplers`, once per (sampler, strategy, seed), as `<study>.compare.<sampler>.<strategy>.s<seed>`:
 * the space's search strategy replaced by each sampler's (random ↔ tpe, see searchDocumentAs),
 * with the same budget and seeds; per seed the samplers run in the order given, each with every
 * strategy, so the first sampler's reference (`none`) run comes first.
 */
export interface CompareOptions {
  loaded: LoadedSpace;
  storage: Storage;
  /** The reference (`none`) first; see resolveStrategies. */
  strategies: readonly CompareStrategy[];
  /**
   * The search strategies to run the space with (see resolveSamplers); the first one's `none`
   * run is the reference. Default: the space's own search only, with study names that leave the
   * sampler out, as before samplers could be compared.
   */
  samplers?: readonly InterchangeableStrategy[];
  /** How many seeds (default 1). */
  seeds?: number;
  /** Trials per run (default: the file's search.trials). */
  trials?: number;
  workers?: number;
  /** TF.js backend for built-in training tasks (default auto). */
  backend?: BackendChoice;
  /** Stops dispatching; the running run finishes its running trials, and no further run starts. */
  signal?: AbortSignal;
  onRunStart?: (run: RunStart) => void;
  onRunEnd?: (run: CompareRun, info: RunStart) => void;
  /** The running run's progress (OptimizeOptions.onProgress). */
  onProgress?: (progress: OptimizeProgress) => void;
  onNote?: (note: string) => void;
}

export interface RunStart {
  /** The search strategy the run samples with (the space's own without `samplers`). */
  sampler: string;
  strategy: string;
  seed: number;
  study: string;
  trials: number;
  /** 1-based position among all runs. */
  index: number;
  total: number;
}

export interface ComparisonResult {
  /** Runs that spent their whole budget, in the order they ran. */
  runs: CompareRun[];
  /** Each sampler's search settings as its runs used them, in the order they ran (one: the space's own, without `samplers`). */
  samplers: { name: string; search: SearchSettings }[];
  seeds: number[];
  trials: number;
  /** The TF.js backends the runs trained on. */
  backends: string[];
  workers: number;
  /** True when the signal stopped the study; the run it stopped is not in `runs`. */
  interrupted: boolean;
}

/** `<study>.compare.<strategy>.s<seed>`, or `<study>.compare.<sampler>.<strategy>.s<seed>` in a comparison of samplers. */
export function compareStudyName(study: string, strategy: string, seed: number, sampler?: string): string {
  return `${study}.compare.${sampler === undefined ? '' : `${sampler}.`}${strategy}.s${seed}`;
}

export async function runComparison(options: CompareOptions): Promise<ComparisonResult> {
  const { loaded, storage, strategies } = options;
  const count = options.seeds ?? 1;
  if (!Number.isSafeInteger(count) || count < 1) throw new HpsearchError('E_USAGE', `seeds must be a positive integer, got ${count}`);
  if (strategies.length === 0) throw new HpsearchError('E_USAGE', 'no strategy to compare');
  const seeds = Array.from({ length: count }, (_, i) => loaded.space.seed + i);
  const trials = options.trials ?? loaded.space.search.trials;
  const samplers = options.samplers;
  if (samplers?.length === 0) throw new HpsearchError('E_USAGE', 'no sampler to compare');
  if (samplers && new Set(samplers).size < samplers.length) throw new HpsearchError('E_USAGE', `samplers lists one twice (${samplers.join(', ')}); list each once`);
  const plan = seeds.flatMap((seed) =>
    (samplers ?? [undefined]).flatMap((sampler) =>
      strategies.map((strategy) => ({ sampler, strategy, seed, study: compareStudyName(loaded.space.study, strategy.name, seed, sampler) })),
    ),
  );
  // Every run's space is checked, and every study name found free, before the first trial runs.
  const spaces = plan.map((run) =>
    withOverrides(loaded, loaded.file, { study: run.study, seed: run.seed, trials, strategy: run.sampler }),
  );
  const searches = new Map(spaces.map(({ space }) => [space.search.strategy, space.search] as const));
  for (const run of plan) {
    if (await storage.getStudy(run.study)) {
      throw new HpsearchError(
        'E_STUDY_EXISTS',
        `study "${run.study}" already exists in ${storage.location}: compare into a new database (--db NEW.db, or leave --db out for a fresh file under runs/compare/)`,
      );
    }
  }

  const task = loaded.space.objective.task;
  const backends = new Set<string>();
  const runs: CompareRun[] = [];
  let workers = 0;
  for (const [i, run] of plan.entries()) {
    if (options.signal?.aborted) return finish(true);
    const sampler = spaces[i]!.space.search.strategy;
    const info: RunStart = { sampler, strategy: run.strategy.name, seed: run.seed, study: run.study, trials, index: i + 1, total: plan.length };
    options.onRunStart?.(info);
    const { study } = await openStudyFromSpace(storage, spaces[i]!, { resume: false });
    const objective = task ? { task: study.space.objective.task!, backend: options.backend ?? 'auto' } : study.space.objective.module!;
    const ends: TrialEndRecord[] = [];
    const summary = await optimizeStudy(study, objective, {
      trials,
      ...(options.workers !== undefined ? { workers: options.workers } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      pruner: run.strategy.pruner,
      onTrialEnd: (event) => ends.push({ number: event.number, state: event.state, value: event.value, stepsTrained: event.stepsTrained }),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.onNote ? { onNote: options.onNote } : {}),
    });
    for (const backend of summary.backends) backends.add(backend);
    workers = Math.max(workers, summary.workers);
    // A run cut short has a smaller budget than the others: it would not compare fairly.
    if (summary.interrupted) return finish(true);
    const record: CompareRun = {
      sampler,
      strategy: run.strategy.name,
      seed: run.seed,
      study: run.study,
      best: summary.best,
      trials: summary.ran,
      pruned: summary.pruned,
      stoppedEarly: summary.stoppedEarly,
      failed: summary.failed,
      stepsTrained: summary.stepsTrained,
      stepsPlanned: summary.stepsPlanned,
      durationMs: summary.durationMs,
      ends,
    };
    runs.push(record);
    options.onRunEnd?.(record, info);
  }
  return finish(false);

  function finish(interrupted: boolean): ComparisonResult {
    const used = [...searches].map(([name, search]) => ({ name, search }));
    return { runs, samplers: used, seeds, trials, backends: [...backends], workers, interrupted };
  }
}
