/**
 * How the `task` kind packs trials (ObjectiveKind.pack): MLP trials whose settings agree on
 * everything that shapes their tensors (train/pack-key.ts) train together in one worker as one
 * batched computation (train/pack-loop.ts, run-pack.ts).
 *
 * `auto` packs on the native backends only. There a small model's step is mostly per-op cost
 * (each of its ~60 ops a call through the addon), which a pack pays once for all its members;
 * on wasm the batched matMul is not XNNPACK's fast path, and a pack trains slower than its
 * members one by one (measured when packing was built), so auto is off there, and on cpu.
 */
import { open, stat } from 'node:fs/promises';
import type { KindPacking } from '../space/objective-kind.js';
import type { ParamSpecs } from '../space/types.js';
import { readIdxHeader } from './datasets/index.js';
import { taskJobData, type TaskObjective } from './job.js';
import { representativeParams } from './representative.js';
import { nativeBackendRequested } from './native-backend.js';
import { packRunner } from './run-pack.js';
import { taskForTrial } from './settings.js';
import { packKey, packMemberBytes } from './train/pack-key.js';
import type { BackendChoice, DatasetSource, TaskSpec } from './types.js';

/**
 * The pack size `auto` takes on a native backend: past it a member's time barely drops (best-5
 * on 2 cores, TF 2.21: see the README's packing section and `npm run bench -- pack`), while
 * every member of a pack waits for the slowest and TPE decides a whole pack with one history.
 */
export const AUTO_PACK_SIZE: Record<'tensorflow' | 'tensorflow-gpu', number> = { tensorflow: 64, 'tensorflow-gpu': 128 };

/** Device memory one pack may take (its training set, plus members × packMemberBytes): a bound on any pack size. */
export const PACK_MEMORY_BYTES = 1024 ** 3;

/** The task kind's packing. */
export const taskPacking: KindPacking<TaskSpec, TaskObjective> = {
  key: (task, params) => packKey(taskForTrial(task, params)),
  size: (task, options, params, asked) => packSize(task, options.backend ?? 'auto', params, asked),
  job: (task, trials, run, options) => ({ runner: packRunner, data: { members: trials.map((trial) => taskJobData(task, trial, run, options)) } }),
};

/** What a pack of this run holds: auto's size on a native backend, else 1; any size cut to the memory bound. */
export async function packSize(task: TaskSpec, backend: BackendChoice, params: ParamSpecs, asked: 'auto' | number): Promise<{ size: number; why: string }> {
  const typical = taskForTrial(task, representativeParams(params));
  if (packKey(typical) === null) return { size: 1, why: `off: only MLP tasks pack (this one is a ${typical.model.type})` };
  const native = nativeBackendRequested(backend) ? (backend === 'tensorflow-gpu' ? 'tensorflow-gpu' : 'tensorflow') : null;
  if (asked === 'auto' && native === null) {
    return { size: 1, why: `off on the ${backend === 'auto' ? 'wasm' : backend} backend, where a pack trains slower than its trials one by one (--pack K packs anyway)` };
  }
  const wanted = asked === 'auto' ? AUTO_PACK_SIZE[native!] : asked;
  const { features, classes, examples } = await inputShape(typical.dataset.source);
  const member = packMemberBytes(typical, features, classes);
  // A pack keeps its whole training set on the device (pack/pack-data.ts), the first N examples when train_samples says so.
  const data = 4 * Math.min(examples, typical.dataset.trainSamples ?? Number.POSITIVE_INFINITY) * (features + classes);
  const mib = (bytes: number) => `${Math.round(bytes / 1024 ** 2)} MiB`;
  const room = PACK_MEMORY_BYTES - data;
  if (room < member) {
    return { size: 1, why: `off: the training set takes about ${mib(data)} on the device, leaving no room for a pack within ${mib(PACK_MEMORY_BYTES)}` };
  }
  const fits = Math.floor(room / member);
  if (fits < 2) return { size: 1, why: `off: a member takes about ${mib(member)}, and no two fit within ${mib(PACK_MEMORY_BYTES)}` };
  if (fits < wanted) {
    const dataPart = data >= 1024 ** 2 ? ` after the training set's ${mib(data)}` : '';
    return { size: fits, why: `packs of at most ${fits} trials: a member takes about ${mib(member)} and a pack at most ${mib(PACK_MEMORY_BYTES)}${dataPart} (asked ${wanted})` };
  }
  const how = asked === 'auto' ? `auto on ${native}` : 'as asked';
  return { size: wanted, why: `packs of up to ${wanted} trials of one model shape (${how}; about ${mib(member * wanted + data)} a pack)` };
}

/**
 * Features, classes and training examples of the dataset, for the memory bound, read without
 * loading the data: the built-in sets' 784 pixels and 60,000 training images, an IDX file's
 * header, a CSV file's header row (and at most one example per 2 bytes of the file, an upper
 * bound); classes are taken to be 10 (only the output layer and the labels depend on them).
 */
async function inputShape(source: DatasetSource): Promise<{ features: number; classes: number; examples: number }> {
  const classes = 10;
  switch (source.type) {
    case 'builtin':
      return { features: 784, classes, examples: 60_000 };
    case 'idx': {
      const { dims } = await readIdxHeader(source.images);
      return { features: dims.slice(1).reduce((a, b) => a * b, 1), classes, examples: dims[0] ?? 0 };
    }
    case 'csv': {
      const features = Math.max(1, (await headerColumns(source.path)) - 1);
      return { features, classes, examples: Math.ceil((await stat(source.path)).size / (2 * (features + 1))) };
    }
  }
}

async function headerColumns(path: string): Promise<number> {
  const handle = await open(path);
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(64 * 1024), 0, 64 * 1024, 0);
    const line = buffer.subarray(0, bytesRead).toString('utf8').split(/\r?\n/, 1)[0] ?? '';
    return line.split(',').length;
  } finally {
    await handle.close();
  }
}
