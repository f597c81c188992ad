import type { Command } from 'commander';
import { addStorageOptions } from '../storage-option.js';
import { nonNegativeInt, positiveInt, prunerName } from '../options.js';
import { addRunLoopOptions, type RunOptions } from '../run-options.js';

export function registerRun(program: Command): Command {
  return addRunLoopOptions(addStorageOptions(program.command('run')))
    .description('run the study a search-space file describes, then print the best trials')
    .argument('<space-file>', 'search-space file (YAML or JSON)')
    .option('--study <name>', 'study name (default: the file\'s `study`, else its file name)')
    .option('--trials <n>', 'trials the study should hold when done (default: the file\'s search.trials)', positiveInt)
    .option('--seed <n>', 'study seed (default: the file\'s seed)', nonNegativeInt)
    .option('--resume', 'continue an existing study of that name instead of failing')
    .option(
      '--pruner <type>',
      "study pruner: none, median, percentile, successive_halving (asha) or hyperband; the file's settings if it has that type, else defaults",
      prunerName,
    )
    .addHelpText(
      'after',
      `
Examples:
  $ hpsearch run search-spaces/quadratic.yaml
  $ hpsearch run search-spaces/quadratic.yaml --study q2 --trials 200 --workers 2
  $ hpsearch run search-spaces/quadratic.yaml --resume --trials 300
  $ hpsearch run search-spaces/quadratic.yaml --format json > result.json
  $ hpsearch run search-spaces/best5.yaml --workers 2 --backend wasm
  $ hpsearch run search-spaces/cnn.yaml --workers 2 --backend tensorflow   # 2 worker processes
  $ hpsearch run search-spaces/best5.yaml --backend tensorflow --pack 32    # 32 trials a batched computation
  $ hpsearch run search-spaces/early-stopping.yaml --pruner hyperband
  $ hpsearch run search-spaces/best5.yaml --report      # then open runs/best5/report.html

Progress goes to stderr; the best trials go to stdout; the end of the run says how many epochs
(steps) its trials trained, against what they would have trained without stopping. Exit codes: 0 done, 1 runtime failure,
2 usage or search-space error, 130 interrupted (Ctrl-C; run again with --resume to continue).

Reliability: trials are stored as they end. The first Ctrl-C starts no new trials and gives the
running ones --grace seconds, then puts them back in the queue; a second one exits at once, also
putting them back. A run killed outright leaves its trials running: the next run (--resume, or
another process on the same database) sees that their process is gone (same host) or that their
heartbeat (every --heartbeat seconds) stopped for --stale-after, and runs them again with the
same params. A run that only stalled that long (a suspended machine) finds those trials taken over
when it wakes: it drops its results for them, says so, and goes on. Several processes may run one
study on one database: each claims trials atomically, and the study ends with exactly --trials
finished trials.

Backends (built-in tasks): auto tries @tensorflow/tfjs-node-gpu (when it sees a GPU), then
@tensorflow/tfjs-node, then wasm (always available), then cpu. The native packages are optional
installs. Their addon loads in one thread per process, so on a native backend --workers N runs N
worker processes, each with one worker thread and a share of the cores for TensorFlow
(TF_NUM_INTRAOP_THREADS = cores / N; your own TF_* variables win), and TensorFlow's C++ log lines
are dropped from their output. A worker process that dies mid-trial is replaced and its trial runs
again from the start; one that dies before its first report stops the run.

Packs (built-in MLP tasks): --pack K trains up to K claimed trials that share a model shape
(architecture, batch size, epochs, dataset, optimizer type) as one batched computation in one
worker; each keeps its own initial weights, batches, hyperparameters and metrics, and is stored,
pruned and stopped on its own. --pack auto (the default) packs on a native backend, where a small
model's step is mostly per-op overhead, and not on wasm or cpu; --pack off trains each trial alone.`,
    )
    .action(async (file: string, options: RunOptions) => {
      const { runStudyCommand } = await import('./run-study.js');
      process.exitCode = await runStudyCommand(file, options);
    });
}
