/**
 * `backend: auto`, decided by measuring: the study's own model trains a few steps on each backend
 * this machine has (a native TensorFlow package, if installed, and wasm), each in a child process
 * of its own, and the fastest is used. The choice is kept in the database by model shape, so a
 * resumed run or another host does not measure again.
 */
import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { compiledModule } from '../../compiled-module.js';
import type { SettleContext } from '../../space/objective-kind.js';
import { NATIVE_PACKAGES, isInstalled } from '../native-packages.js';
import { packSize } from '../pack.js';
import { representativeParams } from '../representative.js';
import { taskForTrial } from '../settings.js';

export { representativeParams } from '../representative.js';
import type { BackendName, TaskSpec } from '../types.js';
import type { MeasureAnswer, MeasureRequest } from './messages.js';

/** Training steps in each timed epoch. */
const STEPS = 4;
/** A measurement that takes longer than this has failed (a backend that hangs). */
const MEASURE_TIMEOUT_MS = 180_000;

/** What the choice needs of the run (the database's measurements, where its note goes), and the measuring processes' environment. */
export interface ChoiceContext extends SettleContext {
  /** The environment of the measuring processes (what the trial workers will run with). */
  env?: NodeJS.ProcessEnv;
}

/** What is kept under the key. */
export interface BackendChoice {
  backend: BackendName;
  /** ms per training step (per trial, for a backend measured in packs), by backend measured ('failed: ...' for one that could not run). */
  msPerStep: Record<string, number | string>;
  model: string;
  /** The pack size each backend was measured with, where it packs (the run's `pack` there). */
  packs?: Record<string, number>;
}

/** The backends `auto` chooses among here: the installed native packages, then wasm. */
export function candidateBackends(): BackendName[] {
  const natives = (['tensorflow-gpu', 'tensorflow'] as const).filter((name) => isInstalled(NATIVE_PACKAGES[name]));
  return [...natives, 'wasm'];
}

/**
 * The backend `auto` means for this task on this machine: null when there is nothing to choose
 * between (no native package: wasm, as ever). Measures (and keeps the result) unless the database
 * already holds a choice for this model shape and these candidates.
 */
export async function chooseBackend(task: TaskSpec, context: ChoiceContext): Promise<BackendName | null> {
  const candidates = candidateBackends();
  if (candidates.length < 2) return null;
  const model = taskForTrial(task, representativeParams(context.params));
  // Each backend timed as the run would train on it: in packs where it packs.
  const packs: Record<string, number> = {};
  if (context.pack !== 'off') {
    for (const backend of candidates) {
      const { size } = await packSize(task, backend, context.params, context.pack);
      if (size > 1) packs[backend] = size;
    }
  }
  const key = choiceKey(model, candidates, packs);
  const kept = await context.getMeasurement(key);
  if (kept !== null && isChoice(kept.value)) {
    context.onNote?.(`backend: ${describeChoice(kept.value)}, as measured ${new Date(kept.measuredAt).toISOString().slice(0, 16).replace('T', ' ')} UTC (kept in the database)`);
    return kept.value.backend;
  }
  const msPerStep: Record<string, number | string> = {};
  for (const backend of candidates) {
    const answer = await measureIn(backend, measurementTask(model), packs[backend] ?? 1, context);
    msPerStep[backend] = answer.type === 'measured' ? round(answer.msPerStep) : `failed: ${answer.error}`;
  }
  const measured = candidates.filter((b) => typeof msPerStep[b] === 'number');
  if (measured.length === 0) {
    context.onNote?.(`backend: could not time any backend (${candidates.map((b) => `${b} ${msPerStep[b]}`).join('; ')}); auto picks as it always has`);
    return null;
  }
  const fastest = measured.reduce((best, b) => ((msPerStep[b] as number) < (msPerStep[best] as number) ? b : best));
  const choice: BackendChoice = { backend: fastest, msPerStep, model: model.model.type, ...(Object.keys(packs).length > 0 ? { packs } : {}) };
  await context.putMeasurement(key, choice);
  context.onNote?.(`backend: ${describeChoice(choice)}`);
  return fastest;
}

/** "tensorflow (cnn step 41 ms vs wasm 150 ms)"; "tensorflow packed by 32 (mlp step 0.9 ms a trial vs wasm 6.3 ms)". */
export function describeChoice(choice: BackendChoice): string {
  const packed = (b: string) => (choice.packs?.[b] !== undefined ? ` packed by ${choice.packs[b]}` : '');
  const own = choice.msPerStep[choice.backend];
  const others = Object.entries(choice.msPerStep).filter(([b]) => b !== choice.backend)
    .map(([b, ms]) => (typeof ms === 'number' ? `${b}${packed(b)} ${formatMs(ms)}` : `${b}${packed(b)} ${ms}`));
  const perTrial = choice.packs === undefined ? '' : ' a trial';
  return `${choice.backend}${packed(choice.backend)} (${choice.model} step ${formatMs(own as number)}${perTrial} vs ${others.join(', ')})`;
}

/**
 * The key of a choice: what decides a step's speed (the model and batch, the input), the
 * candidates, and the pack size each is timed with.
 */
export function choiceKey(task: TaskSpec, candidates: readonly BackendName[], packs: Record<string, number> = {}): string {
  const shape = { model: task.model, batch: task.train.batchSize, optimizer: task.train.optimizer, input: task.dataset.source, candidates, ...(Object.keys(packs).length > 0 ? { packs } : {}) };
  return `backend:${createHash('sha256').update(JSON.stringify(shape)).digest('hex').slice(0, 24)}`;
}

/** The task cut to what a measurement trains: STEPS batches an epoch, one batch of validation. */
function measurementTask(task: TaskSpec): TaskSpec {
  const batch = task.train.batchSize;
  const { validationSplit: _split, ...dataset } = task.dataset;
  return {
    ...task,
    dataset: { ...dataset, trainSamples: batch * (STEPS + 1), validationSamples: batch, useTestSet: false },
  };
}

/** Times the task on `backend` in a child process of its own; its output is kept only to explain a failure. */
function measureIn(backend: BackendName, task: TaskSpec, pack: number, context: ChoiceContext): Promise<MeasureAnswer> {
  const child = fork(new URL(compiledModule(new URL('./measure-child.js', import.meta.url).href)), [], {
    env: context.env ?? process.env,
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    serialization: 'advanced',
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  return new Promise<MeasureAnswer>((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve({ type: 'failed', backend, error: `no answer within ${MEASURE_TIMEOUT_MS / 1000} s` });
    }, MEASURE_TIMEOUT_MS);
    child.once('message', (answer: MeasureAnswer) => {
      clearTimeout(timer);
      resolve(answer);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const last = stderr.trim().split('\n').at(-1) ?? '';
      resolve({ type: 'failed', backend, error: `the measuring process ended (${signal ?? `exit code ${code}`})${last ? `: ${last}` : ''}` });
    });
    const request: MeasureRequest = { type: 'measure', task, backend, studySeed: context.studySeed, steps: STEPS, pack };
    child.send(request);
  });
}

function isChoice(value: unknown): value is BackendChoice {
  const v = value as Partial<BackendChoice> | null;
  return typeof v === 'object' && v !== null && typeof v.backend === 'string' && typeof v.msPerStep === 'object' && typeof v.model === 'string';
}

function round(ms: number): number {
  return Number(ms.toPrecision(3));
}

function formatMs(ms: number): string {
  return ms >= 10 ? `${Math.round(ms)} ms` : `${Number(ms.toPrecision(2))} ms`;
}
