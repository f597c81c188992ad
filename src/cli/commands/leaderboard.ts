import type { Command } from 'commander';
import { DEFAULT_DB_PATH } from '../../storage/open.js';
import { findStudy } from '../../study/find.js';
import { leaderboardCsv, leaderboardJson, leaderboardTable } from '../format/leaderboard.js';
import { oneOf, openExistingStorage, positiveInt, printOut } from '../options.js';

interface LeaderboardOptions {
  db: string;
  top: number;
  format: 'table' | 'json' | 'csv';
}

export function registerLeaderboard(program: Command): Command {
  return program
    .command('leaderboard')
    .description('the best complete trials of a study, best first')
    .argument('<study>', 'study name')
    .option('--db <path>', 'SQLite database file', DEFAULT_DB_PATH)
    .option('--top <n>', 'how many trials', positiveInt, 10)
    .option('--format <format>', 'table, json or csv', oneOf(['table', 'json', 'csv'] as const), 'table')
    .addHelpText(
      'after',
      `
Examples:
  $ hpsearch leaderboard best5 --top 5
  $ hpsearch leaderboard best5 --format json | jq '.[0].params'
  $ hpsearch leaderboard best5 --top 100 --format csv > best5.csv

JSON rows: {rank, number, state, value, params, steps, duration_ms}.`,
    )
    .action(async (name: string, options: LeaderboardOptions) => {
      const storage = await openExistingStorage(options.db);
      try {
        const study = await findStudy(storage, name);
        const rows = await storage.leaderboard(study.id, { top: options.top, direction: study.direction });
        if (options.format === 'json') printOut(JSON.stringify(leaderboardJson(rows), null, 2));
        else if (options.format === 'csv') printOut(leaderboardCsv(rows));
        else printOut(rows.length > 0 ? leaderboardTable(rows, study.metric) : `study "${name}" has no complete trials yet`);
      } finally {
        await storage.close();
      }
    });
}
