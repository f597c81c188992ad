import type { Command } from 'commander';
import { addStorageOptions, storageLocation, type StorageFlags } from '../storage-option.js';
import { nonNegativeInt, oneOf, openExistingStorage, printOut } from '../options.js';

interface EvaluateFlags extends StorageFlags {
  trial?: number;
  test?: boolean;
  format: 'table' | 'json';
}

export function registerEvaluate(program: Command): Command {
  return addStorageOptions(program.command('evaluate'))
    .description("score a trial's saved model on the study's validation split (and with --test on the test set)")
    .argument('<study>', 'study name')
    .option('--trial <n>', 'the trial (default: the best complete one)', nonNegativeInt)
    .option('--test', "also score the dataset's test set")
    .option('--format <format>', 'table or json', oneOf(['table', 'json'] as const), 'table')
    .addHelpText(
      'after',
      `
Examples:
  $ hpsearch evaluate best5                      # the best trial's model
  $ hpsearch evaluate best5 --trial 17 --test
  $ hpsearch evaluate best5 --test --format json | jq '.[0].test_accuracy'

The model must have been saved: run the study with --save-models. The validation split is
rebuilt from the study's seed as training made it, so val_accuracy and val_loss reproduce what
the trial stored for the epoch its weights come from (the table's last column). --test scores
the official test set of mnist and fashion-mnist, or an idx or csv dataset's test: entry; a
study with use_test_set: true validated on that set, which gets a warning. Built-in task
studies only: a module objective's model is yours to evaluate.
JSON: [{number, val_accuracy, val_loss, test_accuracy, test_loss}], the test fields only with --test.`,
    )
    .action(async (name: string, options: EvaluateFlags) => {
      const { evaluateStudy, renderEvaluation } = await import('./evaluate-study.js');
      const storage = await openExistingStorage(storageLocation(options));
      try {
        const loadModel = (studyId: number, number: number) => storage.getTrialModel(studyId, number);
        const evaluation = await evaluateStudy(storage, name, { trial: options.trial, test: options.test === true }, loadModel);
        for (const warning of evaluation.warnings) process.stderr.write(`hpsearch: warning: ${warning}\n`);
        printOut(renderEvaluation(evaluation, options.format));
      } finally {
        await storage.close();
      }
    });
}
