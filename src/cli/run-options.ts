import type { Command } from 'commander';
import type { PrunerType } from '../space/pruner-spec.js';
import type { BackendChoice } from '../task/types.js';
import { nonNegativeNumber, oneOf, packSetting, positiveInt, positiveNumber, topOrAll } from './options.js';
import type { StorageFlags } from './storage-option.js';

/** The TF.js backends a command may ask for. */
export const BACKEND_CHOICES = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;

/** `--backend`, for every command that trains built-in tasks (run, worker, compare). */
export function addBackendOption(command: Command): Command {
  return command.option(
    '--backend <name>',
    `TF.js backend for built-in training tasks: ${BACKEND_CHOICES.join(', ')}`,
    oneOf(BACKEND_CHOICES),
    'auto',
  );
}

/** How trials run and what happens when they fail or the user stops: the options `run` and `worker` share. */
export function addRunLoopOptions(command: Command): Command {
  return addBackendOption(command.option('--workers <n>', 'trials at once: worker threads, or worker processes on a native backend (default: CPU cores)', positiveInt))
    .option('--format <format>', 'output: table or json', oneOf(['table', 'json'] as const), 'table')
    .option('--max-failures <n>', 'stop the run once this many of its trials have failed', positiveInt)
    .option('--grace <seconds>', 'after Ctrl-C, how long running trials may go on before they go back to the queue', nonNegativeNumber, 10)
    .option('--worker-memory <MiB>', "each worker thread's JavaScript heap limit: a trial over it fails and its worker is replaced", positiveInt)
    .option('--heartbeat <seconds>', "how often this run marks its running trials alive in the storage (Optuna's heartbeat_interval)", positiveNumber, 5)
    .option('--stale-after <seconds>', 'a trial another run left without a heartbeat this long is taken for dead and run again (at least 3 heartbeats)', nonNegativeNumber, 60)
    .option(
      '--pack <auto|K|off>',
      "train up to K trials of one model shape as one batched computation in one worker (built-in MLP tasks on a native TensorFlow backend); auto sizes packs from the backend and model, off trains each trial alone (default: the file's pack, else auto)",
      packSetting,
    )
    .option('--save-models <N|all>', "keep the trained models of the best N complete trials (or all) in the study's storage, for hpsearch export (default: the file's save_models)", topOrAll)
    .option('--report', 'write the HTML report when the run ends (runs/<study>/report.html; see hpsearch report)')
    .option('--report-out <file>', 'with --report: where to write it');
}

/** What `hpsearch run` is given. */
export interface RunOptions extends StorageFlags {
  study?: string;
  trials?: number;
  workers?: number;
  seed?: number;
  resume?: boolean;
  backend: BackendChoice;
  pruner?: PrunerType;
  format: 'table' | 'json';
  report?: boolean;
  reportOut?: string;
  maxFailures?: number;
  grace?: number;
  workerMemory?: number;
  staleAfter?: number;
  heartbeat?: number;
  saveModels?: number | 'all';
  pack?: 'auto' | 'off' | number;
}
