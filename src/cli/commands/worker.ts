import type { Command } from 'commander';
import { positiveInt } from '../options.js';
import { addRunLoopOptions } from '../run-options.js';
import { addStorageOptions } from '../storage-option.js';
import type { RunLoopOptions } from './run-study.js';

export function registerWorker(program: Command): Command {
  return addRunLoopOptions(addStorageOptions(program.command('worker')))
    .description("join an existing study from this host: read its space from the storage and run trials until its budget is spent")
    .argument('<study>', 'study name')
    .option('--trials <n>', "trials the study should hold when done (default: its stored search.trials)", positiveInt)
    .addHelpText(
      'after',
      `
Examples:
  $ hpsearch run search-spaces/best5.yaml --storage postgres://hp:secret@db-host:5432/hpsearch     # host 1 creates it
  $ hpsearch worker best5 --storage postgres://hp:secret@db-host:5432/hpsearch --workers 4        # hosts 2, 3, ...
  $ HPSEARCH_STORAGE=postgres://hp:secret@db-host/hpsearch hpsearch worker best5 --backend tensorflow-gpu

Every host claims trials from the shared storage, so no trial runs twice and the study ends with
exactly its budget; a host that dies has its trials run again by the others (after
--stale-after without a heartbeat, by the storage's clock), and a host that only stalled finds
their writes refused when it wakes and drops them. An objective module must be at the same path
on every host.`,
    )
    .action(async (name: string, options: RunLoopOptions) => {
      const { workerCommand } = await import('./worker-run.js');
      process.exitCode = await workerCommand(name, options);
    });
}
