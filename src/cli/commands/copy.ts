import type { Command } from 'commander';
import { DEFAULT_DB_PATH } from '../../storage/open.js';

interface CopyOptions {
  from?: string;
  to: string;
  as?: string;
}

export function registerCopy(program: Command): Command {
  return program
    .command('copy')
    .description('copy a study, its trials, their curves and kept models, from one storage to another (SQLite <-> PostgreSQL)')
    .argument('<study>', 'study name')
    .option('--from <location>', `where it is: an SQLite path or postgres:// URL (default: $HPSEARCH_STORAGE, else ${DEFAULT_DB_PATH})`)
    .requiredOption('--to <location>', 'where it goes: an SQLite path or a postgres:// URL')
    .option('--as <name>', 'name of the copy (default: the same name)')
    .addHelpText(
      'after',
      `
Examples:
  $ hpsearch copy best5 --from runs/hpsearch.db --to postgres://hp:secret@db-host/hpsearch
  $ hpsearch copy best5 --from postgres://hp:secret@db-host/hpsearch --to runs/backup.db --as best5-backup

Finished trials are copied as they are (numbers, params, values, curves, times, kept models); trials that
were queued or running are copied as queued, so resuming the copy runs them again. The study
must not exist at the destination yet.`,
    )
    .action(async (name: string, options: CopyOptions) => {
      const { copyCommand } = await import('./copy-study.js');
      await copyCommand(name, options);
    });
}
