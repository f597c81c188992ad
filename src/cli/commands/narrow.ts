import type { Command } from 'commander';
import { addStorageOptions, storageLocation, type StorageFlags } from '../storage-option.js';
import { nonNegativeNumber, openExistingStorage, positiveInt } from '../options.js';

interface NarrowOptions extends StorageFlags {
  top: number;
  margin: number;
  out?: string;
  study?: string;
}

export function registerNarrow(program: Command): Command {
  return addStorageOptions(program.command('narrow'))
    .description('write a new search-space file whose ranges are narrowed to the best trials (coarse-to-fine search)')
    .argument('<study>', 'study name')
    .option('--top <k>', 'narrow to the span of the best K complete trials', positiveInt, 5)
    .option('--margin <m>', 'widen each range by this fraction of its span on both sides', nonNegativeNumber, 0.1)
    .option('--study <name>', 'study name written into the new file (default: <study>-narrowed)')
    .option('--out <file>', 'write the new space file here (default: print it)')
    .addHelpText(
      'after',
      `
Numeric ranges become the span of the top K trials' values (in log space for log params),
widened by the margin and kept inside the old range; categorical choices shrink to those the
top K used.

Examples:
  $ hpsearch narrow best5 --top 5 --out search-spaces/best5-round2.yaml
  $ hpsearch run search-spaces/best5-round2.yaml`,
    )
    .action(async (name: string, options: NarrowOptions) => {
      const { narrowStudyCommand } = await import('./narrow-study.js');
      const storage = await openExistingStorage(storageLocation(options));
      try {
        await narrowStudyCommand(storage, name, options);
      } finally {
        await storage.close();
      }
    });
}
