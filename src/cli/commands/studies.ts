import type { Command } from 'commander';
import { DEFAULT_DB_PATH } from '../../storage/open.js';
import { studiesJson, studiesTable } from '../format/studies.js';
import { oneOf, openExistingStorage, printOut } from '../options.js';

export function registerStudies(program: Command): Command {
  return program
    .command('studies')
    .description('list the studies in a database')
    .option('--db <path>', 'SQLite database file', DEFAULT_DB_PATH)
    .option('--format <format>', 'table or json', oneOf(['table', 'json'] as const), 'table')
    .addHelpText(
      'after',
      `
Examples:
  $ hpsearch studies
  $ hpsearch studies --db runs/other.db --format json`,
    )
    .action(async (options: { db: string; format: 'table' | 'json' }) => {
      const storage = await openExistingStorage(options.db);
      try {
        const list = await storage.listStudies();
        if (options.format === 'json') printOut(JSON.stringify(studiesJson(list), null, 2));
        else printOut(list.length > 0 ? studiesTable(list) : `no studies in ${options.db} yet`);
      } finally {
        await storage.close();
      }
    });
}
