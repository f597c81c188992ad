import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { isHpsearchError } from '../errors.js';
import { registerCompare } from './commands/compare.js';
import { registerCopy } from './commands/copy.js';
import { registerEnqueue } from './commands/enqueue.js';
import { registerEvaluate } from './commands/evaluate.js';
import { registerExport } from './commands/export.js';
import { registerLeaderboard } from './commands/leaderboard.js';
import { registerNarrow } from './commands/narrow.js';
import { registerReport } from './commands/report.js';
import { registerRun } from './commands/run.js';
import { registerServe } from './commands/serve.js';
import { registerStudies } from './commands/studies.js';
import { registerTrial } from './commands/trial.js';
import { registerWorker } from './commands/worker.js';

export function buildProgram(): Command {
  const program = new Command('hpsearch')
    .description('Hyperparameter search for TensorFlow.js: grid, random and range-narrowing search, trials in worker threads, results in SQLite.')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  program.addHelpText(
    'after',
    `
Examples:
  $ hpsearch run search-spaces/quadratic.yaml --workers 2
  $ hpsearch leaderboard quadratic --top 5
  $ hpsearch trial quadratic 3 --format json
  $ hpsearch narrow quadratic --top 5 --out search-spaces/quadratic-narrowed.yaml
  $ hpsearch enqueue quadratic --params '{"learning_rate": 0.01}'   # a trial to run first
  $ hpsearch evaluate best5 --test           # the best trial's saved model on the test set
  $ hpsearch compare search-spaces/early-stopping.yaml --seeds 3
  $ hpsearch report quadratic               # writes runs/quadratic/report.html
  $ hpsearch serve                          # live views at http://127.0.0.1:8421/
  $ hpsearch worker best5 --storage postgres://user:pass@host/db   # join a study from another host
  $ hpsearch copy best5 --to postgres://user:pass@host/db`,
  );
  for (const register of [registerRun, registerLeaderboard, registerStudies, registerTrial, registerNarrow, registerEnqueue, registerCompare, registerReport, registerServe, registerWorker, registerCopy, registerExport, registerEvaluate]) {
    register(program).exitOverride();
  }
  return program;
}

/** The version in package.json (dist/cli/ and src/cli/ are both two folders below it). */
const VERSION = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

/**
 * Runs the CLI and returns the exit code: 0 success, 2 usage or validation error, 1 runtime failure.
 * Errors of ours are printed as one clear message; anything else with its stack, as a bug.
 */
export async function runCli(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are "errors" to commander; anything else it raises is a usage problem.
      if (error.exitCode === 0 || error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
      return 2;
    }
    if (isHpsearchError(error)) {
      process.stderr.write(`hpsearch: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`hpsearch: unexpected error (please report it):\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}
