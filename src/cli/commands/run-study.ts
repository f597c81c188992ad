import { dirname } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { HpsearchError } from '../../errors.js';
import { loadSpaceFile, validateSpaceDocument } from '../../space/load.js';
import type { LoadedSpace, ParamSpecs, Params } from '../../space/types.js';
import { openStorage } from '../../storage/open.js';
import { openStudyFromSpace } from '../../study/create.js';
import { checkBackendInstalled } from '../../engine/native-backend.js';
import { formatBestLines } from '../format/best-lines.js';
import { leaderboardJson, leaderboardTable } from '../format/leaderboard.js';
import { formatDuration, formatNumber } from '../format/numbers.js';
import { printOut } from '../options.js';
import { ProgressReporter } from '../progress.js';
import type { RunOptions } from './run.js';

const BEST_SHOWN = 5;

/** `hpsearch run`: returns the exit code (130 when interrupted). */
export async function runStudyCommand(file: string, options: RunOptions): Promise<number> {
  const loaded = withOverrides(await loadSpaceFile(file), file, options);
  const { space } = loaded;
  // A missing native backend is a usage error: say so before anything is written.
  if (space.objective.task) checkBackendInstalled(options.backend);
  const storage = await openStorage(options.db);
  const interrupt = new AbortController();
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts++;
    if (interrupts > 1) {
      process.stderr.write(`\nhpsearch: ${signal} again: exiting now; trials still running stay marked running\n`);
      process.exit(130);
    }
    process.stderr.write(`\nhpsearch: ${signal}: no new trials; waiting for the running ones (press Ctrl-C again to quit now)\n`);
    interrupt.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const { study, resumed } = await openStudyFromSpace(storage, loaded, { resume: options.resume ?? false });
    if (resumed && !isDeepStrictEqual(study.space.params, space.params)) {
      process.stderr.write(`hpsearch: note: ${file} differs from the space stored with study "${study.name}"; the stored space is used\n`);
    }
    const { task, module } = study.space.objective;
    const objective = task ? { task, backend: options.backend } : (module ?? space.objective.module!);
    const trials = options.trials ?? study.space.search.trials;
    const before = await study.counts();
    const progress = new ProgressReporter({
      total: trials,
      stream: process.stderr,
      direction: study.direction,
      alreadyDone: before.complete + before.pruned + before.failed,
    });
    process.stderr.write(
      `hpsearch: ${resumed ? 'resuming' : 'starting'} study "${study.name}": ${study.space.search.strategy} search, ${trials} trials -> ${storage.location}\n`,
    );
    const summary = await study.optimize(objective, {
      onNote: (note) => process.stderr.write(`hpsearch: note: ${note}\n`),
      trials,
      ...(options.workers !== undefined ? { workers: options.workers } : {}),
      signal: interrupt.signal,
      onProgress: (state) => progress.update(state),
    });
    progress.finish();
    const best = await study.leaderboard({ top: BEST_SHOWN });
    const counts = await study.counts();
    if (options.format === 'json') {
      printOut(
        JSON.stringify(
          {
            study: study.name,
            db: storage.location,
            direction: study.direction,
            metric: study.metric,
            interrupted: summary.interrupted,
            ran: summary.ran,
            workers: summary.workers,
            backends: summary.backends,
            duration_ms: summary.durationMs,
            counts,
            best: leaderboardJson(best),
          },
          null,
          2,
        ),
      );
    } else {
      // The book's lines name what was searched; fixed settings would only repeat themselves.
      const searched = best.map((row) => ({ ...row, params: searchedParams(row.params, study.space.params) }));
      const lines =
        best.length > 0
          ? [...formatBestLines(searched, study.metric), '', leaderboardTable(best, study.metric)]
          : ['no trial completed'];
      printOut(lines.join('\n'));
      process.stderr.write(
        `${summary.ran} trials run in ${formatDuration(summary.durationMs)} on ${summary.workers} worker${summary.workers === 1 ? '' : 's'}` +
          (summary.backends.length > 0 ? ` (TF.js backend: ${summary.backends.join(', ')})` : '') +
          '; ' +
          `study holds ${counts.complete} complete, ${counts.failed} failed` +
          (summary.best !== null ? `; best ${study.metric} ${formatNumber(summary.best)}` : '') +
          `\nmore: hpsearch leaderboard ${study.name}${options.db !== 'runs/hpsearch.db' ? ` --db ${options.db}` : ''}\n`,
      );
    }
    if (summary.interrupted) {
      process.stderr.write(`hpsearch: interrupted; continue with: hpsearch run ${file} --resume\n`);
      return 130;
    }
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await storage.close();
  }
}

function searchedParams(params: Params, specs: ParamSpecs): Params {
  return Object.fromEntries(Object.entries(params).filter(([name]) => specs[name]?.type !== 'fixed'));
}

/** Applies --study, --seed and --trials to the document, so the stored space says what ran. */
function withOverrides(loaded: LoadedSpace, file: string, options: RunOptions): LoadedSpace {
  const raw = structuredClone(loaded.raw) as Record<string, unknown>;
  raw['study'] = options.study ?? loaded.space.study;
  raw['seed'] = options.seed ?? loaded.space.seed;
  if (options.trials !== undefined) {
    if (loaded.space.search.strategy === 'narrowing') {
      if (options.trials !== loaded.space.search.trials) {
        throw new HpsearchError(
          'E_USAGE',
          `--trials ${options.trials}: a narrowing search runs rounds x trials_per_round = ${loaded.space.search.trials} trials; change those in ${file}`,
        );
      }
    } else {
      raw['search'] = { ...(raw['search'] as Record<string, unknown>), trials: options.trials };
    }
  }
  const space = validateSpaceDocument(raw, file, dirname(loaded.file));
  return { ...loaded, raw, space };
}
