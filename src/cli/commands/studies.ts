import type { Command } from 'commander';
import { addStorageOptions, storageLocation, type StorageFlags } from '../storage-option.js';
import { studiesJson, studiesTable } from '../format/studies.js';
import { oneOf, openExistingStorage, printOut } from '../options.js';

export function registerStudies(program: Command): Command {
  return addStorageOptions(program.command('studies'))
    .description('list the studies in a database')
    .option('--format <format>', 'table or json', oneOf(['table', 'json'] as const), 'table')
    .addHelpText(
      'after',
      `
Examples:
  $ hpsearch studies
  $ hpsearch studies --db runs/other.db --format json`,
    )
    .action(async (options: StorageFlags & { format: 'table' | 'json' }) => {
      const location = storageLocation(options);
      const storage = await openExistingStorage(location);
      try {
        const list = await storage.listStudies();
        if (options.format === 'json') printOut(JSON.stringify(studiesJson(list), null, 2));
        else printOut(list.length > 0 ? studiesTable(list) : `no studies in ${storage.location} yet`);
      } finally {
        await storage.close();
      }
    });
}
