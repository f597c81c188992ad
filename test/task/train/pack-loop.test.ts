import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { HpsearchError } from '../../../src/errors.js';
import type { EarlyStoppingSpec } from '../../../src/space/stopping-spec.js';
import { EarlyStopping } from '../../../src/stopping/early-stopping.js';
import { modelInput } from '../../../src/task/export/model-input.js';
import type { Tf } from '../../../src/task/tf.js';
import { trainPack, type PackMember } from '../../../src/task/train/pack-loop.js';
import { trainModel, type SaveModel, type TrainOutcome } from '../../../src/task/train/train-loop.js';
import type { EpochMetrics, LoadedDataset, MlpSpec, OptimizerName, TrainSpec } from '../../../src/task/types.js';
import { nativeWorkerProcesses } from '../../../src/task/native-backend.js';
import { describeNative } from '../../helpers/native.js';
import { REPO } from '../../helpers/temp.js';
import { maxWeightDifference, MNIST_SMALL, mnistSmall } from '../export/helpers.js';
import { blobs, cnn, mlp, run, trainSpec, wasm } from './helpers.js';

let tf: Tf;
beforeAll(async () => {
  tf = await wasm();
});

interface Member {
  model: MlpSpec;
  train: TrainSpec;
  seed: number;
}

/** trainPack, collecting each member's epochs; also the pack's leaked tensors. */
async function pack(members: Member[], data: LoadedDataset, stopAt: (member: number, epoch: number) => boolean = () => false) {
  const epochs: EpochMetrics[][] = members.map(() => []);
  const before = tf.memory().numTensors;
  const packed: PackMember[] = members.map((m) => ({ spec: { model: m.model, train: m.train }, seed: m.seed }));
  const outcomes = await trainPack(tf, packed, data, (member, epoch, metrics) => {
    expect(epoch).toBe(epochs[member]!.length + 1);
    epochs[member]!.push(metrics);
    return stopAt(member, epoch);
  });
  return { outcomes, epochs, leaked: tf.memory().numTensors - before };
}

/** Each member alone with trainModel on the same backend. */
async function alone(members: Member[], data: LoadedDataset) {
  const results: { outcome: TrainOutcome; epochs: EpochMetrics[] }[] = [];
  for (const m of members) results.push(await run(tf, m.model, m.train, data, m.seed));
  return results;
}

function expectClose(packed: EpochMetrics[], single: EpochMetrics[], digits = 4): void {
  expect(packed).toHaveLength(single.length);
  expect(Math.abs(packed[0]!.train_loss - single[0]!.train_loss)).toBeLessThan(1e-4);
  packed.forEach((p, e) => {
    const s = single[e]!;
    for (const name of ['train_loss', 'val_loss'] as const) expect(p[name], `epoch ${e + 1} ${name}`).toBeCloseTo(s[name], digits - 1);
    for (const name of ['train_accuracy', 'val_accuracy'] as const) expect(Math.abs(p[name] - s[name]), `epoch ${e + 1} ${name}`).toBeLessThanOrEqual(0.02);
    expect(p.learning_rate).toBe(s.learning_rate);
  });
}

async function expectPackMatchesAlone(members: Member[], data: LoadedDataset, digits = 4) {
  const packed = await pack(members, data);
  const single = await alone(members, data);
  expect(packed.leaked).toBe(0);
  members.forEach((_, k) => {
    expectClose(packed.epochs[k]!, single[k]!.epochs, digits);
    expect(packed.outcomes[k]!.status).toBe(single[k]!.outcome.status);
  });
  return packed;
}

/** Four members that differ in everything a pack lets differ. */
function varied(overrides: Partial<TrainSpec> = {}, model: Partial<MlpSpec> = {}): Member[] {
  const base = trainSpec({ epochs: 3, batchSize: 32, ...overrides });
  return [
    { model: mlp(model), train: { ...base }, seed: 1 },
    { model: mlp({ ...model, dropout: 0.2 }), train: { ...base, learningRate: base.learningRate * 0.5, weightDecay: 1e-3 }, seed: 2 },
    { model: mlp({ ...model, initializer: 'glorot_uniform' }), train: { ...base, learningRate: base.learningRate * 2, momentum: 0.8, beta1: 0.8, rho: 0.8 }, seed: 3 },
    { model: mlp({ ...model, dropout: 0.1, initializer: 'random_normal', initStd: 0.1 }), train: { ...base, weightDecay: 1e-2, beta2: 0.99, epsilon: 1e-5 }, seed: 4 },
  ];
}

/** Blobs with features that are zero in every example: the pack leaves them out of its matMuls, as FastMlp does. */
function withZeroColumns(): LoadedDataset {
  const zeroed = blobs({ train: 160, validation: 60, seed: 'zero-columns' });
  for (const set of [zeroed.train, zeroed.validation]) for (let i = 0; i < set.count; i++) for (const j of [0, 4, 5]) set.x[i * 10 + j] = 0;
  return zeroed;
}

describe('trainPack: each member as trainModel trains it alone', () => {
  const data = blobs({ train: 160, validation: 60 });
  const LR: Record<OptimizerName, number> = { sgd: 0.05, momentum: 0.02, nesterov: 0.02, adagrad: 0.05, rmsprop: 0.005, adam: 0.005 };

  for (const optimizer of Object.keys(LR) as OptimizerName[]) {
    it(`${optimizer}: different learning rates, decay, seeds, dropout, initializers`, async () => {
      await expectPackMatchesAlone(varied({ optimizer, learningRate: LR[optimizer] }), data);
    });
  }

  it('with a last batch smaller than batch_size (160 = 3·50 + 10), visited at different steps', async () => {
    await expectPackMatchesAlone(varied({ batchSize: 50 }), data);
  });

  it('with batch norm (momentum, dropout, a smaller last batch)', async () => {
    await expectPackMatchesAlone(varied({ optimizer: 'momentum', learningRate: 0.02, batchSize: 50 }, { batchNorm: true }), data);
  });

  it('with batch norm: adam, full batches; sgd with decay and features that are zero everywhere', async () => {
    await expectPackMatchesAlone(varied({ optimizer: 'adam', learningRate: 0.005, batchSize: 40 }, { batchNorm: true }), data);
    await expectPackMatchesAlone(varied({ epochs: 3, batchSize: 50 }, { batchNorm: true }), withZeroColumns());
  });

  it('with clip_value, each member its own threshold', async () => {
    const members = varied({ clipValue: 0.05 }).map((m, k) => ({ ...m, train: { ...m.train, clipValue: 0.01 * (k + 1) } }));
    await expectPackMatchesAlone(members, data);
  });

  it('with clip_norm, each member its own global norm and threshold (adam)', async () => {
    const members = varied({ optimizer: 'adam', learningRate: 0.005, clipNorm: 1 }).map((m, k) => ({ ...m, train: { ...m.train, clipNorm: 0.2 * (k + 1) } }));
    await expectPackMatchesAlone(members, data);
  });

  it('with max_norm, each member its own limit', async () => {
    const members = varied({ maxNorm: 1, learningRate: 0.2 }).map((m, k) => ({ ...m, train: { ...m.train, maxNorm: 0.5 + 0.5 * k } }));
    await expectPackMatchesAlone(members, data);
  });

  it('with schedules, each member its own', async () => {
    const members = varied({ epochs: 4 });
    members[0]!.train.schedule = { type: 'step', factor: 0.5, every: 1 };
    members[1]!.train.schedule = { type: 'exponential', rate: 0.7, every: 2 };
    members[2]!.train.schedule = { type: 'power', power: 1, every: 1 };
    const packed = await expectPackMatchesAlone(members, data);
    expect(packed.epochs[0]!.map((m) => m.learning_rate)).toEqual([0.05, 0.025, 0.0125, 0.00625]);
  });

  for (const optimizer of ['sgd', 'adam'] as const) {
    it(`with features that are zero everywhere, their weights moved by decay only (${optimizer})`, async () => {
      await expectPackMatchesAlone(varied({ optimizer, learningRate: LR[optimizer], epochs: 4 }), withZeroColumns());
    });
  }

  it('with features that are zero everywhere and max_norm (their weights count in each unit\'s norm)', async () => {
    const members = varied({ maxNorm: 1, learningRate: 0.2 }).map((m, k) => ({ ...m, train: { ...m.train, weightDecay: 0, maxNorm: 0.4 + 0.3 * k } }));
    await expectPackMatchesAlone(members, withZeroColumns());
  });

  for (const activation of ['tanh', 'sigmoid', 'elu', 'selu', 'leaky_relu'] as const) {
    it(`with ${activation} units`, async () => {
      await expectPackMatchesAlone(varied({ epochs: 2, batchSize: 50 }, { activation }).slice(0, 2), data);
    });
  }

  it('a pack of one is trainModel', async () => {
    await expectPackMatchesAlone(varied().slice(1, 2), data);
  });
});

describe('trainPack: members that leave', () => {
  const data = blobs({ train: 160, validation: 60 });

  it('a diverging member (learning rate 1e3) fails alone; the others are what they are without it', async () => {
    const members = varied({ epochs: 4 });
    const wild: Member = { model: mlp(), train: { ...members[0]!.train, learningRate: 1e3 }, seed: 9 };
    const withWild = await pack([members[0]!, wild, ...members.slice(1)], data);
    const without = await pack(members, data);
    expect(withWild.leaked).toBe(0);
    const outcome = withWild.outcomes[1]!;
    expect(outcome.status).toBe('diverged');
    const epoch = (outcome as Extract<TrainOutcome, { status: 'diverged' }>).epoch;
    expect(withWild.epochs[1]).toHaveLength(epoch);
    expect(Number.isNaN(withWild.epochs[1]![epoch - 1]!.val_loss) || !Number.isFinite(withWild.epochs[1]![epoch - 1]!.val_loss)).toBe(true);
    const others = [0, 2, 3, 4];
    others.forEach((k, i) => {
      expect(withWild.outcomes[k]).toEqual(without.outcomes[i]);
      withWild.epochs[k]!.forEach((m, e) => {
        const ref = without.epochs[i]![e]!;
        for (const name of ['train_loss', 'val_loss', 'train_accuracy', 'val_accuracy'] as const) expect(Math.abs(m[name] - ref[name])).toBeLessThan(1e-6);
      });
    });
  });

  const isolation: [string, Partial<TrainSpec>, Partial<MlpSpec>][] = [
    ['padded batches, clip_norm (each member its own norm)', { batchSize: 50, clipNorm: 5 }, {}],
    ['batch norm, adam', { batchSize: 50, optimizer: 'adam', learningRate: 0.005 }, { batchNorm: true }],
  ];
  for (const [name, train, model] of isolation) {
    it(`keeps a diverging member's NaN to itself with ${name}`, async () => {
      const members = varied({ epochs: 3, ...train }, model);
      // 1e38 overflows float32 within a step or two (w − lr·g, or adam's lr·m/√v), whatever clipping or batch norm does.
      const wild: Member = { model: mlp(model), train: { ...members[0]!.train, learningRate: 1e38 }, seed: 9 };
      const withWild = await pack([wild, ...members], data);
      const without = await pack(members, data);
      expect(withWild.outcomes[0]!.status).toBe('diverged');
      members.forEach((_, i) => {
        expect(withWild.outcomes[i + 1]).toEqual(without.outcomes[i]);
        withWild.epochs[i + 1]!.forEach((m, e) => {
          for (const metric of ['train_loss', 'val_loss', 'train_accuracy', 'val_accuracy'] as const) expect(Math.abs(m[metric] - without.epochs[i]![e]![metric])).toBeLessThan(1e-6);
        });
      });
    });
  }

  it('a member stopped at epoch 2 leaves; the others match their alone runs to the end', async () => {
    const members = varied({ epochs: 5, optimizer: 'adam', learningRate: 0.005 });
    const packed = await pack(members, data, (member, epoch) => member === 1 && epoch === 2);
    expect(packed.leaked).toBe(0);
    expect(packed.outcomes[1]).toEqual({ status: 'stopped', last: packed.epochs[1]![1], epoch: 2, model: undefined });
    expect(packed.epochs[1]).toHaveLength(2);
    const single = await alone(members, data);
    for (const k of [0, 2, 3]) {
      expectClose(packed.epochs[k]!, single[k]!.epochs);
      expect(packed.outcomes[k]!.status).toBe('complete');
    }
    expectClose(packed.epochs[1]!, single[1]!.epochs.slice(0, 2));
  });

  it('members stopped at different epochs, the last one leaving the pack empty', async () => {
    const members = varied({ epochs: 4 });
    const packed = await pack(members, data, (member, epoch) => epoch === member + 1);
    expect(packed.leaked).toBe(0);
    expect(packed.outcomes.map((o) => o.status)).toEqual(['stopped', 'stopped', 'stopped', 'stopped']);
    expect(packed.epochs.map((e) => e.length)).toEqual([1, 2, 3, 4]);
  });

  it('an onEpoch that throws ends the pack, rethrown, leaking nothing', async () => {
    const before = tf.memory().numTensors;
    const members = varied().map((m): PackMember => ({ spec: { model: m.model, train: m.train }, seed: m.seed }));
    await expect(trainPack(tf, members, data, () => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('trainPack: what it refuses', () => {
  const data = blobs();

  it('members of different shapes, and cnn models', async () => {
    const a: PackMember = { spec: { model: mlp(), train: trainSpec() }, seed: 1 };
    const b: PackMember = { spec: { model: mlp({ hidden: [8] }), train: trainSpec() }, seed: 2 };
    await expect(trainPack(tf, [a, b], data, () => {})).rejects.toThrow(HpsearchError);
    await expect(trainPack(tf, [{ spec: { model: cnn(), train: trainSpec() }, seed: 1 }], data, () => {})).rejects.toThrow(/only mlp/);
    const c: PackMember = { spec: { model: mlp(), train: trainSpec({ optimizer: 'adam' }) }, seed: 2 };
    await expect(trainPack(tf, [a, c], data, () => {})).rejects.toThrow(/cannot share a pack/);
  });

  it('an empty pack trains nothing', async () => {
    expect(await trainPack(tf, [], data, () => {})).toEqual([]);
  });
});

describe('trainPack: saveModel, as trainModel exports it', () => {
  const patience = (restoreBest: boolean, patience = 2): EarlyStoppingSpec => ({ monitor: 'val_loss', mode: 'min', patience, minDelta: 0, restoreBest });

  /** Trains `members` packed, with the main thread's early stopping played by one rule per member; then each alone. */
  async function both(trains: Partial<TrainSpec>[], earlyStopping: EarlyStoppingSpec | null, prune?: { member: number; epoch: number }) {
    const data = await mnistSmall();
    const spec = mlp({ hidden: [24, 24] });
    const save: SaveModel = { input: modelInput(MNIST_SMALL, spec, data), earlyStopping, metric: 'val_accuracy' };
    const members = trains.map((t, k) => ({ spec: { model: spec, train: trainSpec({ batchSize: 50, epochs: 8, ...t }) }, seed: 30 + k, saveModel: save }));
    const rules = members.map(() => (earlyStopping === null ? null : new EarlyStopping(earlyStopping)));
    const decide = (member: number, epoch: number, metrics: EpochMetrics) =>
      (prune?.member === member && prune.epoch === epoch) || rules[member]?.observe(epoch, metrics) != null;
    const before = tf.memory().numTensors;
    const packed = await trainPack(tf, members, data, decide);
    expect(tf.memory().numTensors).toBe(before);
    const single: TrainOutcome[] = [];
    for (const [k, m] of members.entries()) {
      const rule = earlyStopping === null ? null : new EarlyStopping(earlyStopping);
      single.push(await trainModel(tf, m.spec, data, {
        seed: m.seed,
        saveModel: save,
        onEpoch: (epoch, metrics) => (prune?.member === k && prune.epoch === epoch) || rule?.observe(epoch, metrics) != null,
      }));
    }
    return { packed, single };
  }

  async function expectSameModels(packed: TrainOutcome[], single: TrainOutcome[]) {
    for (const [k, outcome] of packed.entries()) {
      const own = single[k]!;
      expect(outcome.status).toBe(own.status);
      if (outcome.status === 'diverged' || own.status === 'diverged') continue;
      expect(outcome.model === undefined).toBe(own.model === undefined);
      if (outcome.model === undefined || own.model === undefined) continue;
      expect(outcome.model.step).toBe(own.model.step);
      expect(outcome.model.modelJson['modelTopology']).toEqual(own.model.modelJson['modelTopology']);
      expect(await maxWeightDifference(tf, outcome.model, own.model)).toBeLessThan(1e-3);
    }
  }

  it('complete members export their last weights', async () => {
    const { packed, single } = await both([{ learningRate: 0.1 }, { learningRate: 0.05, weightDecay: 1e-3 }, { learningRate: 0.2, weightDecay: 1e-2 }], null);
    expect(packed.map((o) => o.status)).toEqual(['complete', 'complete', 'complete']);
    await expectSameModels(packed, single);
  });

  it('early stopping exports the stopped members (restore_best: the best step\'s weights); a pruned member exports nothing', async () => {
    const { packed, single } = await both([{ learningRate: 1 }, { learningRate: 0.6 }, { learningRate: 0.1 }], patience(true), { member: 2, epoch: 3 });
    expect(packed[2]).toMatchObject({ status: 'stopped', epoch: 3, model: undefined });
    const steps = packed.flatMap((o) => (o.status !== 'diverged' && o.model !== undefined ? [o.model.step!] : []));
    expect(steps.length).toBeGreaterThan(0);
    await expectSameModels(packed, single);
  });

  it('without restore_best, an early-stopped member exports the weights it stopped with', async () => {
    const { packed, single } = await both([{ learningRate: 1 }, { learningRate: 0.05 }], patience(false, 1));
    await expectSameModels(packed, single);
  });
});


// The addon may be loaded by one thread per process: the native run is a child process.
describeNative('trainPack on the native TensorFlow backend', () => {
  it('trains the best-5 setup packed as each trial trains alone: first-epoch loss within 1e-4, final val_accuracy within 0.02', () => {
    const child = spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'test', 'fixtures', 'pack', 'best5-native.ts')], {
      cwd: REPO,
      env: { ...process.env, ...nativeWorkerProcesses(1).env },
      encoding: 'utf8',
    });
    expect(child.status, child.stderr).toBe(0);
    type Summary = { epochs: number; first: number; lastAccuracy: number };
    const result = JSON.parse(child.stdout.trim().split('\n').pop()!) as { backend: string; leaked: number; packed: Summary[]; alone: Summary[] };
    expect(result.backend).toBe('tensorflow');
    expect(result.leaked).toBe(0);
    expect(result.packed).toHaveLength(3);
    result.packed.forEach((p, k) => {
      const own = result.alone[k]!;
      expect(p.epochs).toBe(50);
      expect(own.epochs).toBe(50);
      expect(Math.abs(p.first - own.first)).toBeLessThan(1e-4);
      expect(Math.abs(p.lastAccuracy - own.lastAccuracy)).toBeLessThanOrEqual(0.02);
    });
    // The largest learning rate learns: the comparison is not between two untrained models.
    expect(result.alone[2]!.lastAccuracy).toBeGreaterThan(0.5);
  });
});
