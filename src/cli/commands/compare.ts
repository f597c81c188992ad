import type { Command } from 'commander';
import { addBackendOption } from '../run-options.js';
import { addStorageOptions } from '../storage-option.js';
import { COMPARE_DB_DIR, type CompareOptions } from '../compare-options.js';
import { DEFAULT_STRATEGIES } from '../../compare/strategies.js';
import { oneOf, positiveInt } from '../options.js';

export function registerCompare(program: Command): Command {
  return addBackendOption(addStorageOptions(program.command('compare'), `SQLite database for the runs' studies (default: a new ${COMPARE_DB_DIR}/<study>-<time>.db)`))
    .description('early-stopping study: run the same space under several pruning strategies and seeds, and compare best value, epochs and time')
    .argument('<space-file>', 'search-space file (YAML or JSON)')
    .option(
      '--pruners <list>',
      'comma-separated strategies: none, median, percentile, successive_halving (or asha), hyperband; none is always run, as the reference',
      commaList,
      [...DEFAULT_STRATEGIES],
    )
    .option('--seeds <n>', "runs per strategy, with the file's seed, seed+1, ...", positiveInt, 1)
    .option('--trials <n>', "trials per run (default: the file's search.trials)", positiveInt)
    .option('--workers <n>', 'trials at once: worker threads, or worker processes on a native backend (default: CPU cores)', positiveInt)
    .option('--format <format>', 'output: table or json', oneOf(['table', 'json'] as const), 'table')
    .addHelpText(
      'after',
      `
Examples:
  $ hpsearch compare search-spaces/early-stopping.yaml --seeds 3 --workers 2
  $ hpsearch compare search-spaces/early-stopping.yaml --pruners none,asha --trials 50
  $ hpsearch compare search-spaces/quadratic.yaml --pruners none,median --format json > compare.json

Each (strategy, seed) is its own study, <study>.compare.<strategy>.s<seed>, with the same trial
budget; the same seed gives every strategy the same params and trial seeds per trial number.
A strategy uses the file's pruner: settings when the types match, else that pruner's defaults.
The file's early_stopping: and divergence: rules apply to every strategy, none included.

Per strategy (means over seeds): best value ± sample standard deviation, epochs (steps) trained
and as % of none, wall time, trials pruned and stopped early, and the epochs the run had
trained when a complete trial first came within 0.01 of the same seed's none best. Target:
that within 25% of none's epochs. The database is printed at the end: open any run with
\`hpsearch leaderboard <study>.compare.asha.s42 --db FILE\`.

Progress goes to stderr, the table (or JSON) to stdout. Exit codes: 0 done, 1 runtime failure,
2 usage or search-space error, 130 interrupted (the finished runs are still summarised).`,
    )
    .action(async (file: string, options: CompareOptions) => {
      const { compareCommand } = await import('./compare-studies.js');
      process.exitCode = await compareCommand(file, options);
    });
}

function commaList(value: string): string[] {
  return value.split(',').map((name) => name.trim());
}
