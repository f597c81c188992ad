import type { Command } from 'commander';
import { nonNegativeNumber, oneOf, positiveInt } from '../options.js';
import { addStorageOptions } from '../storage-option.js';
import type { RunLoopOptions } from './run-study.js';

export function registerWorker(program: Command): Command {
  return addStorageOptions(program.command('worker'))
    .description("join an existing study from this host: read its space from the storage and run trials until its budget is spent")
    .argument('<study>', 'study name')
    .option('--trials <n>', "trials the study should hold when done (default: its stored search.trials)", positiveInt)
    .option('--workers <n>', 'worker threads on this host (default: CPU cores)', positiveInt)
    .option(
      '--backend <name>',
      'TF.js backend for built-in training tasks on this host: auto, tensorflow-gpu, tensorflow, wasm or cpu',
      oneOf(['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const),
      'auto',
    )
    .option('--format <format>', 'output: table or json', oneOf(['table', 'json'] as const), 'table')
    .option('--max-failures <n>', 'stop once this many of its trials have failed', positiveInt)
    .option('--grace <seconds>', 'after Ctrl-C, how long running trials may go on before they go back to the queue', nonNegativeNumber, 10)
    .option('--worker-memory <MiB>', "each worker thread's heap limit", positiveInt)
    .option('--stale-after <seconds>', 'a trial of another host without a heartbeat this long is taken for dead and run again', nonNegativeNumber, 60)
    .addHelpText(
      'after',
      `
Examples:
  $ hpsearch run search-spaces/best5.yaml --storage postgres://hp:secret@db-host:5432/hpsearch     # host 1 creates it
  $ hpsearch worker best5 --storage postgres://hp:secret@db-host:5432/hpsearch --workers 4        # hosts 2, 3, ...
  $ HPSEARCH_STORAGE=postgres://hp:secret@db-host/hpsearch hpsearch worker best5 --backend tensorflow-gpu

Every host claims trials from the shared storage, so no trial runs twice and the study ends with
exactly its budget; a host that dies has its trials run again by the others (after
--stale-after without a heartbeat). An objective module must be at the same path on every host.`,
    )
    .action(async (name: string, options: RunLoopOptions) => {
      const { workerCommand } = await import('./worker-run.js');
      process.exitCode = await workerCommand(name, options);
    });
}
