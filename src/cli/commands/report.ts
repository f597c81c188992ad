import type { Command } from 'commander';
import { addStorageOptions, storageLocation, type StorageFlags } from '../storage-option.js';
import { InvalidArgumentError } from 'commander';
import { openExistingStorage, positiveInt } from '../options.js';

interface ReportOptions extends StorageFlags {
  out?: string;
  scatter?: [string, string];
  curves: number;
}

export function registerReport(program: Command): Command {
  return addStorageOptions(program.command('report'))
    .description('write a self-contained HTML report of a study: leaderboard, learning curves, param scatter, history, parallel coordinates, importance')
    .argument('<study>', 'study name')
    .option('--out <file>', 'where to write it (default: runs/<study>/report.html)')
    .option('--scatter <x,y>', 'the two params of the scatter (default: learning_rate,weight_decay when the study has them)', paramPair)
    .option('--curves <n>', 'how many trials get a learning-curve chart', positiveInt, 20)
    .addHelpText(
      'after',
      `
Examples:
  $ hpsearch report best5
  $ hpsearch report best5 --out best5.html && xdg-open best5.html
  $ hpsearch report optimizers --scatter learning_rate,momentum --db runs/other.db

The file opens offline in any browser: the charts (Vega), styles and data are inside it and it
makes no network requests. For live views while a study runs, use \`hpsearch serve\`.`,
    )
    .action(async (name: string, options: ReportOptions) => {
      const storage = await openExistingStorage(storageLocation(options));
      try {
        const { writeReport } = await import('../../report/write.js');
        const written = await writeReport(storage, name, {
          ...(options.out !== undefined ? { out: options.out } : {}),
          scatter: options.scatter ?? null,
          curveTrials: options.curves,
        });
        process.stderr.write(`hpsearch: wrote ${written.path} (${written.trials} trials, ${Math.round(written.bytes / 1024)} KiB); open it in a browser\n`);
      } finally {
        await storage.close();
      }
    });
}

export function paramPair(value: string): [string, string] {
  const parts = value.split(',').map((p) => p.trim());
  if (parts.length !== 2 || parts.some((p) => p === '')) {
    throw new InvalidArgumentError(`expected two param names separated by a comma, e.g. learning_rate,weight_decay; got "${value}"`);
  }
  return [parts[0]!, parts[1]!];
}
