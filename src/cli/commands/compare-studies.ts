// Space files name objective kinds: register the built-in ones.
import '../../objectives/builtin.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { compareStudyName, runComparison } from '../../compare/compare.js';
import { resolveSamplers, resolveStrategies } from '../../compare/strategies.js';
import { summarizeComparison, type CompareRun } from '../../compare/summary.js';
import { checkBackendInstalled } from '../../task/native-backend.js';
import type { PrunerSpec } from '../../space/pruner-spec.js';
import { loadSpaceFile } from '../../space/load.js';
import { withOverrides } from '../../space/overrides.js';
import { openStorage } from '../../storage/open.js';
import { processOwner } from '../../study/study.js';
import { comparisonJson, comparisonTable, runLine } from '../format/compare.js';
import { printOut } from '../options.js';
import { storageFlag, storageLocation } from '../storage-option.js';
import { DEFAULT_GRACE_MS } from '../../engine/optimize.js';
import { handleInterrupts } from '../interrupt.js';
import { ProgressReporter } from '../progress.js';
import { COMPARE_DB_DIR, type CompareOptions } from '../compare-options.js';

/** `hpsearch compare`: returns the exit code (130 when interrupted). */
export async function compareCommand(file: string, options: CompareOptions): Promise<number> {
  // --trials is checked against the file (a narrowing search fixes its own budget) before anything runs.
  const loaded = withOverrides(await loadSpaceFile(file, { probeObjective: true }), file, options.trials !== undefined ? { trials: options.trials } : {});
  const { space } = loaded;
  const { strategies, added } = resolveStrategies(options.pruners, space);
  const samplers = options.samplers === undefined ? undefined : resolveSamplers(options.samplers, space);
  // With --samplers, runs are named by sampler and strategy; without, by strategy as before.
  const naming = { sampler: samplers !== undefined };
  const referenceSampler = samplers?.[0] ?? space.search.strategy;
  if (space.objective.task) checkBackendInstalled(options.backend);
  const unit = space.objective.task ? 'epochs' : 'steps';
  const db = storageLocation(options, freshDbPath(space.study));
  const storage = await openStorage(db);
  const interrupts = handleInterrupts('no new trials or runs', DEFAULT_GRACE_MS);
  interrupts.onForce = () => storage.releaseTrialsOf(processOwner());
  try {
    if (added) process.stderr.write(`hpsearch: note: added the reference strategy "none" (the others are measured against it)\n`);
    const trials = space.search.trials;
    const seeds = options.seeds;
    const compared = strategies.map((s) => s.name).join(', ');
    process.stderr.write(
      `hpsearch: comparing ${samplers ? `samplers ${samplers.join(', ')} × pruners ${compared}` : compared} on ${file}: ` +
        `${seeds} seed${seeds === 1 ? '' : 's'} from ${space.seed}, ${trials} trials per run -> ${storage.location}\n`,
    );
    const notes = new Set<string>();
    const references = new Map<number, CompareRun>();
    let progress: ProgressReporter | null = null;
    const result = await runComparison({
      loaded,
      storage,
      strategies,
      samplers,
      seeds,
      trials,
      ...(options.workers !== undefined ? { workers: options.workers } : {}),
      backend: options.backend,
      signal: interrupts.signal,
      onRunStart: (run) => {
        progress = new ProgressReporter({
          total: run.trials,
          stream: process.stderr,
          direction: space.objective.direction,
          label: `[${run.index}/${run.total}] ${naming.sampler ? `${run.sampler} ` : ''}${run.strategy} s${run.seed}`,
        });
      },
      onProgress: (state) => progress?.update(state),
      onRunEnd: (run, info) => {
        progress?.finish();
        if (run.strategy === strategies[0]!.name && run.sampler === referenceSampler) references.set(run.seed, run);
        process.stderr.write(`hpsearch: [${info.index}/${info.total}] ${runLine(run, references.get(run.seed), space.objective.metric, unit, naming)}\n`);
      },
      // Every run would repeat the same note (e.g. the worker processes of a native backend): say it once.
      onNote: (note) => {
        if (notes.has(note)) return;
        notes.add(note);
        process.stderr.write(`hpsearch: note: ${note}\n`);
      },
    });
    (progress as ProgressReporter | null)?.finish();
    const summary = summarizeComparison(result.runs, { direction: space.objective.direction, reference: strategies[0]!.name, referenceSampler });
    if (options.format === 'json') {
      const pruners = new Map<string, PrunerSpec>(strategies.map((s) => [s.name, s.pruner]));
      printOut(
        JSON.stringify(
          comparisonJson(summary, {
            space: loaded.file,
            study: space.study,
            db: storage.location,
            metric: space.objective.metric,
            trials,
            workers: result.workers,
            backends: result.backends,
            interrupted: result.interrupted,
            pruners,
            searches: new Map(result.samplers.map((s) => [s.name, s.search])),
          }),
          null,
          2,
        ),
      );
    } else if (result.runs.length > 0) {
      printOut(comparisonTable(summary, space.objective.metric, unit, naming));
    }
    const where = storageFlag(db) || ` --db ${db}`;
    const example = result.runs.at(-1)?.study ?? compareStudyName(space.study, strategies[0]!.name, space.seed, samplers?.[0]);
    process.stderr.write(
      `runs stored in ${storage.location}` +
        (result.backends.length > 0 ? ` (TF.js backend: ${result.backends.join(', ')})` : '') +
        `\nmore: hpsearch studies${where}; hpsearch leaderboard ${example}${where}\n`,
    );
    if (result.interrupted) {
      const n = result.runs.length;
      process.stderr.write(`hpsearch: interrupted; the summary covers the ${n} run${n === 1 ? '' : 's'} that finished\n`);
      return 130;
    }
    return 0;
  } finally {
    interrupts.dispose();
    await storage.close();
  }
}

/** runs/compare/<study>-<UTC time>.db, with a suffix when that file exists already. */
function freshDbPath(study: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  let path = join(COMPARE_DB_DIR, `${study}-${stamp}.db`);
  for (let i = 2; existsSync(path); i++) path = join(COMPARE_DB_DIR, `${study}-${stamp}-${i}.db`);
  return path;
}
