import type { Command } from 'commander';
import { addStorageOptions, storageLocation, type StorageFlags } from '../storage-option.js';
import { findStudy } from '../../study/find.js';
import { samplerStateLabel } from '../../samplers/index.js';
import { documentStrategy } from '../../space/search-document.js';
import { storedParams } from '../stored-params.js';
import { trialNotFound } from '../trial-not-found.js';
import { trialJson, trialTable } from '../format/trial.js';
import { nonNegativeInt, oneOf, openExistingStorage, printOut } from '../options.js';

export function registerTrial(program: Command): Command {
  return addStorageOptions(program.command('trial'))
    .description('one trial: params, state, value and its per-step metrics')
    .argument('<study>', 'study name')
    .argument('<number>', 'trial number (as in the leaderboard\'s # column)', nonNegativeInt)
    .option('--format <format>', 'table or json', oneOf(['table', 'json'] as const), 'table')
    .addHelpText(
      'after',
      `
Examples:
  $ hpsearch trial best5 17
  $ hpsearch trial best5 17 --format json | jq '.steps[-1]'

sampler: what the sampler recorded with the trial, as a label (narrowing: "round 2"; tpe:
"startup" or "tpe"); "-" for grid and random. JSON has it as sampler, the raw state as
sampler_state, and a narrowing trial's round as round. params: only those the trial has; the
table notes a conditional param's condition and names the space's params inactive in the trial.`,
    )
    .action(async (name: string, number: number, options: StorageFlags & { format: 'table' | 'json' }) => {
      const storage = await openExistingStorage(storageLocation(options));
      try {
        const study = await findStudy(storage, name);
        const trial = await storage.getTrial(study.id, number);
        if (!trial) throw await trialNotFound(storage, study, number);
        const describe = samplerStateLabel(documentStrategy(study.space));
        const model = (await storage.listTrialModels(study.id)).find((m) => m.number === number) ?? null;
        printOut(options.format === 'json'
          ? JSON.stringify(trialJson(trial, describe, model), null, 2)
          : trialTable(trial, study.metric, describe, await storedParams(study), model));
      } finally {
        await storage.close();
      }
    });
}
