import { beforeAll, describe, expect, it } from 'vitest';
import type { Metrics } from '../../src/space/types.js';
import type { KindRunContext } from '../../src/space/objective-kind.js';
import type { TrialOutcome } from '../../src/objectives/trial-run.js';
import { taskObjectiveKind, type TaskJobData } from '../../src/task/kind.js';
import { packRunner, runPack } from '../../src/task/run-pack.js';
import { runTrial } from '../../src/task/run-trial.js';
import type { Tf } from '../../src/task/tf.js';
import type { TaskSpec, TrainSpec } from '../../src/task/types.js';
import { maxWeightDifference, MNIST_SMALL } from './export/helpers.js';
import { mlp, trainSpec, wasm } from './train/helpers.js';

let tf: Tf;
beforeAll(async () => {
  tf = await wasm();
});

const base: TaskSpec = { dataset: MNIST_SMALL, model: mlp({ hidden: [32, 32] }), train: trainSpec({ epochs: 4, batchSize: 50, learningRate: 0.1 }) };
const run: KindRunContext = { metric: 'val_accuracy', studySeed: 7, saveModels: false, earlyStopping: null };
const trialOf = (number: number) => ({ study: 's', number, seed: 20 + number, params: {} });

/** The worker job data the task kind makes for `task` (its params already merged), as the engine would pack it. */
function jobData(task: TaskSpec, context: KindRunContext): TaskJobData {
  return taskObjectiveKind.workerJob(task, trialOf(0), context, { task, backend: 'wasm' }).data as TaskJobData;
}

/** Each member's reported steps, and a stop for `stopAt[member]`'s step. */
function reporter(count: number, stopAt: Record<number, number> = {}) {
  const steps: Metrics[][] = Array.from({ length: count }, () => []);
  return {
    steps,
    report: async (member: number, step: number, metrics: Metrics) => {
      expect(step).toBe(steps[member]!.length + 1);
      steps[member]!.push(metrics);
      return stopAt[member] === step;
    },
  };
}

async function alone(task: TaskSpec, context: KindRunContext, number: number, stopAt?: number): Promise<{ outcome: TrialOutcome; steps: Metrics[] }> {
  const steps: Metrics[] = [];
  const outcome = await runTrial(jobData(task, context), trialOf(number), async (step, metrics) => (steps.push(metrics), step === stopAt));
  return { outcome, steps };
}

const tasks = (trains: Partial<TrainSpec>[]): TaskSpec[] => trains.map((t) => ({ ...base, train: { ...base.train, ...t } }));

describe('runPack (task pack worker)', () => {
  it('names itself as a runner module', () => {
    expect(packRunner).toMatch(/\/run-pack\.js$/);
  });

  it('gives each trial the outcome runTrial gives it alone: complete, stopped, diverged', async () => {
    const specs = tasks([{}, { learningRate: 0.05, weightDecay: 1e-4 }, { learningRate: 1e5 }, { learningRate: 0.2 }]);
    const trials = specs.map((_, k) => trialOf(k));
    const { steps, report } = reporter(specs.length, { 3: 2 });
    const before = tf.memory().numTensors;
    const outcomes = await runPack({ members: specs.map((t) => jobData(t, run)) }, trials, report);
    expect(tf.memory().numTensors).toBe(before);
    expect(outcomes.map((o) => o.status)).toEqual(['complete', 'complete', 'failed', 'stopped']);
    for (const [k, outcome] of outcomes.entries()) {
      const single = await alone(specs[k]!, run, k, k === 3 ? 2 : undefined);
      expect(outcome.status).toBe(single.outcome.status);
      expect(outcome.reports).toBe(single.outcome.reports);
      expect(outcome.reports).toBe(steps[k]!.length);
      expect(outcome.attrs).toEqual({ backend: 'wasm', pack_size: 4 });
      if (outcome.status === 'complete' && single.outcome.status === 'complete') {
        expect(Math.abs(outcome.value - single.outcome.value)).toBeLessThanOrEqual(0.02);
        expect(outcome.metrics).toBeNull();
      }
      if (outcome.status === 'failed' && single.outcome.status === 'failed') {
        expect(outcome.error).toMatch(/^diverged: /);
        expect(outcome.error).toBe(single.outcome.error);
        expect(outcome.fatal).toBe(false);
      }
      steps[k]!.forEach((m, e) => {
        const own = single.steps[e]!['train_loss']!;
        if (Number.isNaN(own)) expect(m['train_loss']).toBeNaN();
        else expect(m['train_loss']).toBeCloseTo(own, 3);
      });
    }
  });

  it('sends each member its model when the run keeps them, as runTrial would, and restore_best takes the best step', async () => {
    const earlyStopping = { monitor: 'val_loss', mode: 'min' as const, patience: 100, minDelta: 0, restoreBest: true };
    const keep: KindRunContext = { ...run, saveModels: true, earlyStopping };
    const specs = tasks([{ learningRate: 1, epochs: 8 }, { learningRate: 0.05, epochs: 8 }]);
    const outcomes = await runPack({ members: specs.map((t) => jobData(t, keep)) }, specs.map((_, k) => trialOf(k)), reporter(2).report);
    const steps: number[] = [];
    for (const [k, outcome] of outcomes.entries()) {
      const single = await alone(specs[k]!, keep, k);
      expect(outcome.status).toBe('complete');
      if (outcome.status !== 'complete' || single.outcome.status !== 'complete') continue;
      const packed = outcome.model!;
      const own = single.outcome.model!;
      expect(packed.step).toBe(own.step);
      steps.push(packed.step!);
      expect(packed.input).toEqual(own.input);
      expect(packed.modelJson['modelTopology']).toEqual(own.modelJson['modelTopology']);
      expect(await maxWeightDifference(tf, packed, own)).toBeLessThan(1e-3);
    }
    // lr 1 overshoots: its best val_loss comes before the last epoch, so restore_best chose.
    expect(steps[0]).toBeLessThan(8);
  });

  it('fails every member, fatally, for a problem that is not one trial\'s (a dataset file that does not exist)', async () => {
    const missing: TaskSpec = { ...base, dataset: { ...MNIST_SMALL, source: { type: 'idx', images: '/nonexistent/images', labels: '/nonexistent/labels' } } };
    const outcomes = await runPack({ members: [jobData(missing, run), jobData(missing, run)] }, [trialOf(0), trialOf(1)], reporter(2).report);
    expect(outcomes.map((o) => o.status === 'failed' && o.fatal)).toEqual([true, true]);
  });
});

