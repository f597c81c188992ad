/**
 * A child process that times a few training steps of one model on one backend (alone, or a pack
 * of them per trial), for `backend: auto`. A process of its own because a native backend's addon may be loaded by one thread of a
 * process only, and the run's own process must never load it.
 */
import { initBackend } from '../backend.js';
import { loadDatasetCached } from '../datasets/index.js';
import { trainPack } from '../train/pack-loop.js';
import { trainModel } from '../train/train-loop.js';
import type { MeasureAnswer, MeasureRequest } from './messages.js';

/** Epochs trained: the first warms the backend up (kernels compiled, memory allocated), the others are timed. */
const EPOCHS = 3;

async function measure(request: MeasureRequest): Promise<MeasureAnswer> {
  const { backend, task, steps, pack } = request;
  try {
    const { tf } = await initBackend(backend);
    const data = await loadDatasetCached(task.dataset, request.studySeed);
    const spec = { model: task.model, train: { ...task.train, epochs: EPOCHS } };
    const ends: number[] = [];
    const onEpoch = (member: number) => {
      if (member === 0) ends.push(performance.now());
      return Promise.resolve(false);
    };
    if (pack > 1) {
      // Members of one shape, each its own seed, as a pack of the run's trials would be.
      const members = Array.from({ length: pack }, (_, i) => ({ spec, seed: request.studySeed + i }));
      await trainPack(tf, members, data, (member) => onEpoch(member));
    } else {
      await trainModel(tf, spec, data, { seed: request.studySeed, onEpoch: () => onEpoch(0) });
    }
    if (ends.length < EPOCHS) throw new Error(`training stopped after ${ends.length} of ${EPOCHS} epochs`);
    return { type: 'measured', backend, msPerStep: (ends.at(-1)! - ends[0]!) / ((EPOCHS - 1) * steps * pack) };
  } catch (error) {
    return { type: 'failed', backend, error: error instanceof Error ? error.message : String(error) };
  }
}

process.once('message', (request: MeasureRequest) => {
  void measure(request).then((answer) => {
    process.send!(answer, () => process.exit(0));
  });
});
