import type { Command } from 'commander';
import { addStorageOptions, storageLocation, type StorageFlags } from '../storage-option.js';
import { formatBytes } from '../../format/numbers.js';
import { nonNegativeInt, oneOf, openExistingStorage, printOut } from '../options.js';

interface ExportOptions extends StorageFlags {
  trial?: number;
  out: string;
  force?: boolean;
  format: 'table' | 'json';
}

export function registerExport(program: Command): Command {
  return addStorageOptions(program.command('export'))
    .description("write a trial's kept model (model.json, weights.bin) and hpsearch.json (where it came from, how to feed it) to a folder")
    .argument('<study>', 'study name')
    .requiredOption('--out <dir>', 'folder to write into (created if missing; must be empty unless --force)')
    .option('--trial <n>', 'trial number (default: the best complete trial)', nonNegativeInt)
    .option('--force', 'write into a folder that is not empty, replacing files of the same names')
    .option('--format <format>', 'what to print: table or json', oneOf(['table', 'json'] as const), 'table')
    .addHelpText(
      'after',
      `
Examples:
  $ hpsearch run search-spaces/best5.yaml --save-models 3
  $ hpsearch export best5 --out models/best5
  $ hpsearch export best5 --trial 17 --out models/t17 --format json

Models are kept only by runs with --save-models N (or save_models: { top: N } in the space file),
for the study's best N complete trials; \`hpsearch studies\` and \`hpsearch trial\` show their sizes.
They live in the study's storage (SQLite or PostgreSQL), so any host can export them and
\`hpsearch copy\` carries them. Load the export in TF.js with
  tf.loadLayersModel('file://models/best5/model.json')     (@tensorflow/tfjs-node)
hpsearch.json holds the study, trial, params, value, the metrics of its last and best steps,
and the input contract (shape, scaling, label names; null for a model your objective saved).`,
    )
    .action(async (name: string, options: ExportOptions) => {
      const { exportModel } = await import('../../study/export-model.js');
      const storage = await openExistingStorage(storageLocation(options));
      try {
        const exported = await exportModel(storage, name, {
          out: options.out, force: options.force ?? false, ...(options.trial !== undefined ? { trial: options.trial } : {}),
        });
        const { provenance } = exported;
        if (options.format === 'json') printOut(JSON.stringify({ dir: exported.dir, files: exported.files, ...provenance }, null, 2));
        else {
          printOut(`exported trial ${provenance.trial} of study "${provenance.study}" (${provenance.metric} ${provenance.value ?? '-'}, ` +
            `${formatBytes(provenance.bytes)}) to ${exported.dir}: ${exported.files.map((file) => file.slice(exported.dir.length + 1)).join(', ')}`);
        }
      } finally {
        await storage.close();
      }
    });
}
