import type { Command } from 'commander';
import { addStorageOptions, storageLocation, type StorageFlags } from '../storage-option.js';
import { findStudy } from '../../study/find.js';
import { samplerStateLabel } from '../../samplers/index.js';
import { documentStrategy } from '../../space/search-document.js';
import { storedParams } from '../stored-params.js';
import { leaderboardCsv, leaderboardJson, leaderboardTable } from '../format/leaderboard.js';
import { oneOf, openExistingStorage, positiveInt, printOut } from '../options.js';

interface LeaderboardOptions extends StorageFlags {
  top: number;
  all?: boolean;
  format: 'table' | 'json' | 'csv';
}

export function registerLeaderboard(program: Command): Command {
  return addStorageOptions(program.command('leaderboard'))
    .description('the best complete trials of a study, best first (with --all, then pruned and failed ones)')
    .argument('<study>', 'study name')
    .option('--top <n>', 'how many trials', positiveInt, 10)
    .option('--all', 'also list pruned trials (by their last value), then failed ones, after the complete ones')
    .option('--format <format>', 'table, json or csv', oneOf(['table', 'json', 'csv'] as const), 'table')
    .addHelpText(
      'after',
      `
Examples:
  $ hpsearch leaderboard best5 --top 5
  $ hpsearch leaderboard best5 --format json | jq '.[0].params'
  $ hpsearch leaderboard best5 --top 100 --format csv > best5.csv
  $ hpsearch leaderboard early-stopping --all --top 30

steps: steps (epochs) the trial trained. stopped: why it ended before its last step (early
stopping, the pruner, a divergence rule) or why it failed; the column shows when any did.
sampler: what the sampler recorded with the trial, as a label (narrowing: its round, "round 2";
tpe: "startup" for the first random draws, "tpe" once modelled); shown for those strategies.
Params: a column each, in the space's order, then those the objective asked for while it ran.
A param a trial lacks (a conditional one inactive in it) is "-" in the table, an empty CSV
field, and absent from its JSON params; a null value is "null" in all three.
JSON rows: {rank, number, state, value, params, steps, stopped, duration_ms, sampler_state, sampler}.`,
    )
    .action(async (name: string, options: LeaderboardOptions) => {
      const storage = await openExistingStorage(storageLocation(options));
      try {
        const study = await findStudy(storage, name);
        const states = options.all ? (['complete', 'pruned', 'failed'] as const) : (['complete'] as const);
        // One ranking per state, complete first: a trial pruned at step 1 must not outrank finished ones.
        const groups = await Promise.all(
          states.map((state) => storage.leaderboard(study.id, { top: options.top, direction: study.direction, states: [state] })),
        );
        const rows = groups.flat().slice(0, options.top).map((row, i) => ({ ...row, rank: i + 1 }));
        const describe = samplerStateLabel(documentStrategy(study.space));
        if (options.format === 'json') printOut(JSON.stringify(leaderboardJson(rows, describe), null, 2));
        else if (options.format === 'csv') printOut(leaderboardCsv(rows, describe, await storedParams(study)));
        else printOut(rows.length > 0 ? leaderboardTable(rows, study.metric, describe, await storedParams(study)) : `study "${name}" has no ${options.all ? 'finished' : 'complete'} trials yet${options.all ? '' : ' (--all lists pruned and failed ones)'}`);
      } finally {
        await storage.close();
      }
    });
}
