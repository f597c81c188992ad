import type { Command } from 'commander';
import { addStorageOptions, storageLocation } from '../storage-option.js';
import { oneOf, openExistingStorage } from '../options.js';
import type { EnqueueOptions } from './enqueue-study.js';

export function registerEnqueue(program: Command): Command {
  return addStorageOptions(program.command('enqueue'))
    .description('add trials with given params to an existing study: they run first, at its next run')
    .argument('<study>', 'study name')
    .requiredOption(
      '--params <json>',
      'one trial\'s params as a JSON object; params left out are sampled (repeat for several trials)',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--format <format>', 'table or json', oneOf(['table', 'json'] as const), 'table')
    .addHelpText(
      'after',
      `
Examples:
  $ hpsearch enqueue best5 --params '{"learning_rate": 0.01, "weight_decay": 1e-6}'
  $ hpsearch enqueue best5 --params '{"learning_rate": 0.01}' --params '{"learning_rate": 0.005}'
  $ hpsearch enqueue best5 --params '{"learning_rate": 0.01}' --format json | jq '.[0].number'
  $ hpsearch run search-spaces/best5.yaml --resume      # runs them first

Each value must be one the study's space could draw: inside the range, on the step, one of the
choices; a param left out (weight_decay above) is drawn by the sampler when the trial runs, and
the given ones win. Enqueued trials count toward the study's trials: the command says when the
study then holds more than its budget, and which --trials runs them all. A space file can also
list such trials under search.enqueue; they are queued when the study is created.
JSON: an array of {number, params}, the params as given.`,
    )
    .action(async (name: string, options: EnqueueOptions) => {
      const { enqueueCommand } = await import('./enqueue-study.js');
      const storage = await openExistingStorage(storageLocation(options), { write: true });
      try {
        await enqueueCommand(storage, name, options);
      } finally {
        await storage.close();
      }
    });
}
