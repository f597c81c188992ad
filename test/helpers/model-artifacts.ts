/**
 * Small image datasets as IDX files and TF.js models as the ModelArtifacts the storage keeps,
 * for the tests of `hpsearch evaluate` (test/task/evaluate.test.ts, test/cli/commands).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LayersModel } from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import { MODEL_WEIGHTS_FILE, type ModelArtifact, type ModelInput } from '../../src/storage/model-artifact.js';
import { encodeIdx } from '../../src/task/datasets/index.js';

/**
 * `count` 4×4 images of 3 classes: class c lights row c (+60), all pixels are noise (0..180),
 * so a tiny model learns it but not perfectly from a few epochs.
 */
export function writeImages(dir: string, count: number, seed: string, prefix = 'train'): { images: string; labels: string } {
  const rng = seedrandom(seed);
  const pixels = new Uint8Array(count * 16);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = i % 3;
    for (let p = 0; p < 16; p++) pixels[i * 16 + p] = Math.floor(rng() * 180) + (Math.floor(p / 4) === labels[i] ? 60 : 0);
  }
  const paths = { images: join(dir, `${prefix}-images.idx`), labels: join(dir, `${prefix}-labels.idx`) };
  writeFileSync(paths.images, encodeIdx([count, 4, 4], pixels));
  writeFileSync(paths.labels, encodeIdx([count], labels));
  return paths;
}

/** `model` as the storage keeps it: model.json's content and weights.bin's bytes. */
export async function artifactOf(model: LayersModel, input: ModelInput, step: number | null = 3): Promise<ModelArtifact> {
  let saved: ModelArtifact | undefined;
  await model.save({
    save: async (a) => {
      saved = {
        modelJson: { modelTopology: a.modelTopology, format: 'layers-model', weightsManifest: [{ paths: [MODEL_WEIGHTS_FILE], weights: a.weightSpecs }] },
        weights: new Uint8Array(a.weightData as ArrayBuffer),
        input,
        step,
      };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    },
  });
  return saved!;
}
