// Space files name objective kinds: register the built-in ones.
import '../../objectives/builtin.js';
import { isDeepStrictEqual } from 'node:util';
import { loadSpaceFile } from '../../space/load.js';
import { withOverrides } from '../../space/overrides.js';
import type { ParamSpecs, Params } from '../../space/types.js';
import { openStorage } from '../../storage/open.js';
import { openStudyFromSpace } from '../../study/create.js';
import type { Study } from '../../study/study.js';
import type { Storage } from '../../storage/storage.js';
import type { PrunerSpec } from '../../space/pruner-spec.js';
import { checkBackendInstalled } from '../../task/native-backend.js';
import { formatBestLines } from '../format/best-lines.js';
import { leaderboardJson, leaderboardTable } from '../format/leaderboard.js';
import { formatBytes, formatDuration, formatNumber } from '../../format/numbers.js';
import { printOut } from '../options.js';
import { storageFlag, storageLocation } from '../storage-option.js';
import { handleInterrupts } from '../interrupt.js';
import { ProgressReporter } from '../progress.js';
import type { RunOptions } from '../run-options.js';
import { DEFAULT_GRACE_MS, optimizeStudy, type OptimizeSummary } from '../../engine/optimize.js';
import { checkPackSetting, resolveObjective } from '../../engine/objective-source.js';

const BEST_SHOWN = 5;

/**
 * Why `--save-models all` deserves a second thought: float32 weights take 4 bytes a parameter, so
 * the MLP 784-128-10 (101,770 parameters) keeps about 400 KB per trial.
 */
const ALL_MODELS_NOTE = 'keeping the model of every complete trial: they add up (an MLP 784-128-10 is about 400 KB, so 1,000 trials keep about 400 MB); ' +
  '`hpsearch studies` shows the total; --save-models N keeps only the best N';

/** What `run` and `worker` share: how the trials run and what is printed. */
export type RunLoopOptions = Omit<RunOptions, 'study' | 'seed' | 'resume' | 'pruner'>;

/** How a command found its study: `run` from a space file, `worker` from the database. */
interface OpenedStudy {
  study: Study;
  /** "starting", "resuming" or "joining", for the first line. */
  verb: string;
  /** A pruner given on the command line, replacing the stored one for this run. */
  pruner?: PrunerSpec;
  /** The command that continues the study after an interrupt. */
  again: string;
}

/** `hpsearch run`: returns the exit code (130 when interrupted). */
export async function runStudyCommand(file: string, options: RunOptions): Promise<number> {
  const loaded = withOverrides(await loadSpaceFile(file, { probeObjective: true }), file, options);
  const { space } = loaded;
  // A missing native backend is a usage error: say so before anything is written; so is a pack size for an objective that cannot pack.
  if (space.objective.task) checkBackendInstalled(options.backend);
  checkPackSetting(resolveObjective(space.objective.task ? { task: space.objective.task } : space.objective.module!), options.pack ?? space.pack ?? 'auto');
  return runOnStorage(options, async (storage) => {
    const { study, resumed } = await openStudyFromSpace(storage, loaded, { resume: options.resume ?? false });
    if (resumed && !isDeepStrictEqual(study.space.params, space.params)) {
      process.stderr.write(`hpsearch: note: ${file} differs from the space stored with study "${study.name}"; the stored space is used\n`);
    }
    // On resume the stored space rules, except for what the command line says now.
    return { study, verb: resumed ? 'resuming' : 'starting', ...(options.pruner !== undefined ? { pruner: space.pruner } : {}), again: `hpsearch run ${file} --resume` };
  });
}

/**
 * Opens the storage, lets `open` find the study, runs it until its budget is spent and prints
 * the result; returns the exit code (130 when interrupted).
 */
export async function runOnStorage(options: RunLoopOptions, open: (storage: Storage) => Promise<OpenedStudy>): Promise<number> {
  const location = storageLocation(options);
  const storage = await openStorage(location);
  const graceMs = (options.grace ?? DEFAULT_GRACE_MS / 1000) * 1000;
  const interrupts = handleInterrupts('no new trials', graceMs);
  try {
    const { study, verb, pruner, again } = await open(storage);
    interrupts.onForce = () => storage.releaseTrialsOf(study.owner);
    const { task, module } = study.space.objective;
    const objective = task ? { task, backend: options.backend } : module!;
    const trials = options.trials ?? study.space.search.trials;
    const before = await study.counts();
    const keep = options.saveModels ?? study.space.saveModels?.top;
    if (keep === 'all') process.stderr.write(`hpsearch: note: ${ALL_MODELS_NOTE}\n`);
    const progress = new ProgressReporter({
      total: trials,
      stream: process.stderr,
      direction: study.direction,
      alreadyDone: before.complete + before.pruned + before.failed,
    });
    process.stderr.write(
      `hpsearch: ${verb} study "${study.name}": ${study.space.search.strategy} search, ${trials} trials -> ${storage.location}\n`,
    );
    const summary = await optimizeStudy(study, objective, {
      onNote: (note) => process.stderr.write(`hpsearch: note: ${note}\n`),
      trials,
      ...(options.workers !== undefined ? { workers: options.workers } : {}),
      signal: interrupts.signal,
      graceMs,
      ...(options.maxFailures !== undefined ? { maxFailures: options.maxFailures } : {}),
      ...(options.workerMemory !== undefined ? { workerMemoryMb: options.workerMemory } : {}),
      ...(options.staleAfter !== undefined ? { staleAfterMs: options.staleAfter * 1000 } : {}),
      ...(options.heartbeat !== undefined ? { heartbeatMs: options.heartbeat * 1000 } : {}),
      ...(options.saveModels !== undefined ? { saveModels: { top: options.saveModels } } : {}),
      ...(options.pack !== undefined ? { pack: options.pack } : {}),
      onProgress: (state) => progress.update(state),
      ...(pruner !== undefined ? { pruner } : {}),
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
            released: summary.released,
            restarted: summary.restarted,
            taken_over: summary.takenOver,
            recovered: summary.recovered,
            ran: summary.ran,
            pruner: (pruner ?? study.space.pruner).type,
            pruned: summary.pruned,
            stopped_early: summary.stoppedEarly,
            steps_trained: summary.stepsTrained,
            steps_planned: summary.stepsPlanned,
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
          ? [...formatBestLines(searched, study.metric), '', leaderboardTable(best, study.metric, undefined, study.space.params)]
          : ['no trial completed'];
      printOut(lines.join('\n'));
      process.stderr.write(
        `${summary.ran} trials run in ${formatDuration(summary.durationMs)} on ${summary.workers} worker${summary.workers === 1 ? '' : 's'}` +
          (summary.takenOver > 0 ? ` (${summary.takenOver} more taken over by another run, their results dropped)` : '') +
          (summary.backends.length > 0 ? ` (TF.js backend: ${summary.backends.join(', ')})` : '') +
          '; ' +
          `study holds ${counts.complete} complete, ${counts.pruned} pruned, ${counts.failed} failed` +
          (summary.best !== null ? `; best ${study.metric} ${formatNumber(summary.best)}` : '') +
          `\n${stepsLine(summary, task ? 'epochs' : 'steps')}` +
          (keep === undefined ? '' : `\n${await modelsLine(storage, study.id, study.name, storageFlag(location))}`) +
          `\nmore: hpsearch leaderboard ${study.name}${storageFlag(location)}\n`,
      );
    }
    if (options.report || options.reportOut !== undefined) {
      // Also after an interrupt: the report shows what the study holds so far.
      const { writeReport } = await import('../../report/write.js');
      const written = await writeReport(storage, study.name, options.reportOut !== undefined ? { out: options.reportOut } : {});
      process.stderr.write(`hpsearch: report: ${written.path}\n`);
    }
    if (summary.interrupted) {
      const released = summary.released > 0 ? ` (${summary.released} unfinished trial${summary.released === 1 ? '' : 's'} went back to the queue)` : '';
      process.stderr.write(`hpsearch: interrupted${released}; continue with: ${again}\n`);
      return 130;
    }
    return 0;
  } finally {
    interrupts.dispose();
    await storage.close();
  }
}

/** "models kept: 2 (812 KB), of trials 3, 7; export the best with: hpsearch export ...". */
async function modelsLine(storage: Storage, studyId: number, name: string, flag: string): Promise<string> {
  const kept = await storage.listTrialModels(studyId);
  if (kept.length === 0) return 'models kept: none (no trial completed with a model)';
  const bytes = kept.reduce((sum, m) => sum + m.bytes, 0);
  const numbers = kept.map((m) => m.number);
  return `models kept: ${kept.length} (${formatBytes(bytes)}), of trial${kept.length === 1 ? '' : 's'} ${numbers.slice(0, 10).join(', ')}${numbers.length > 10 ? ', ...' : ''}; ` +
    `export the best with: hpsearch export ${name}${flag} --out DIR`;
}

/** "epochs trained: 412 of 5000 (8.2%) ...": what stopping saved, in the unit a task trains in. */
export function stepsLine(summary: OptimizeSummary, unit: 'epochs' | 'steps'): string {
  const stopped = [
    summary.pruned > 0 ? `${summary.pruned} pruned` : '',
    summary.stoppedEarly > 0 ? `${summary.stoppedEarly} stopped early` : '',
  ].filter(Boolean);
  const why = stopped.length > 0 ? ` (${stopped.join(', ')})` : '';
  if (summary.stepsPlanned === null || summary.stepsPlanned === 0) return `${unit} trained: ${summary.stepsTrained}${why}`;
  const share = (100 * summary.stepsTrained) / summary.stepsPlanned;
  return (
    `${unit} trained: ${summary.stepsTrained} of the ${summary.stepsPlanned} a run without stopping would have trained ` +
    `(${share.toFixed(share < 10 ? 1 : 0)}%)${why}`
  );
}

function searchedParams(params: Params, specs: ParamSpecs): Params {
  return Object.fromEntries(Object.entries(params).filter(([name]) => specs[name]?.type !== 'fixed'));
}
