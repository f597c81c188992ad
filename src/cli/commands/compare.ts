import type { Command } from 'commander';
import { addBackendOption } from '../run-options.js';
import { addStorageOptions } from '../storage-option.js';
import { COMPARE_DB_DIR, type CompareOptions } from '../compare-options.js';
import { DEFAULT_STRATEGIES } from '../../compare/strategies.js';
import { TPE_DEFAULTS } from '../../space/schema.js';
import { oneOf, positiveInt } from '../options.js';

export function registerCompare(program: Command): Command {
  return addBackendOption(addStorageOptions(program.command('compare'), `SQLite database for the runs' studies (default: a new ${COMPARE_DB_DIR}/<study>-<time>.db)`))
    .description('early-stopping study: run the same space under several pruning strategies (and samplers) and seeds, and compare best value, epochs and time')
    .argument('<space-file>', 'search-space file (YAML or JSON)')
    .option(
      '--pruners <list>',
      'comma-separated strategies: none, median, percentile, successive_halving (or asha), hyperband; none is always run, as the reference',
      commaList,
      [...DEFAULT_STRATEGIES],
    )
    .option(
      '--samplers <list>',
      "comma-separated samplers to run each strategy with: random, tpe (the file's search strategy replaced, same trials); the first one's none run is the reference (default: the file's own search only)",
      commaList,
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
  $ hpsearch compare search-spaces/early-stopping.yaml --samplers random,tpe --pruners none,asha --seeds 3

Each (strategy, seed) is its own study, <study>.compare.<strategy>.s<seed>, with the same trial
budget; the same seed gives every strategy the same params and trial seeds per trial number.
A strategy uses the file's pruner: settings when the types match, else that pruner's defaults.
The file's early_stopping: and divergence: rules apply to every strategy, none included.

--samplers runs every (sampler, strategy, seed), each its own study
<study>.compare.<sampler>.<strategy>.s<seed>: the file's search: with its strategy replaced
(random <-> tpe), the same trials and seeds; tpe takes the file's own tpe settings when the file
is tpe, else TPE's defaults (startup_trials ${TPE_DEFAULTS.startupTrials}, ...). Only random and tpe can be compared: grid
search visits the points of its grid and narrowing sets its budget in rounds. Every row is
measured against one reference, the first sampler's none run on the same seed (with
--samplers random,tpe, plain random search), so "vs random none" and the epochs to reach its
best compare samplers and pruners alike (tpe none: how soon TPE finds random search's best).

Per strategy (and sampler; means over seeds): best value ± sample standard deviation, epochs
(steps) trained and as % of the reference's, wall time, trials pruned and stopped early, and the
epochs the run had trained when a complete trial first came within 0.01 of the same seed's
reference best. Target: that within 25% of the reference's epochs. The database is printed at
the end: open any run with \`hpsearch leaderboard <study>.compare.asha.s42 --db FILE\`
(\`<study>.compare.tpe.asha.s42\` with --samplers).

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
