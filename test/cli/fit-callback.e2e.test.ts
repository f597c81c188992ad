import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadStudy } from '../../src/study/create.js';
import { runCli } from '../helpers/cli.js';
import { REPO, useTempDir } from '../helpers/temp.js';

const tempDir = useTempDir();

describe('search-spaces/fit-callback.yaml: a user-written tf.sequential model trained by model.fit under ASHA', () => {
  it('runs as shipped: pruned trials stop mid-fit at a rung with their curves stored, complete ones train every epoch', async () => {
    const db = join(tempDir(), 'fit-callback.db');
    const run = await runCli(['run', join(REPO, 'search-spaces', 'fit-callback.yaml'), '--db', db, '--workers', '2']);
    expect(run.code, run.stderr).toBe(0);
    const study = await loadStudy({ name: 'fit-callback', storage: db });
    try {
      const trials = await study.trials();
      expect(trials).toHaveLength(30);
      const states = new Set(trials.map((t) => t.state));
      expect([...states].sort()).toEqual(['complete', 'pruned']);
      for (const trial of trials) {
        const { steps } = (await study.trial(trial.number))!;
        // Rungs at epochs 1, 3 and 9: a pruned trial's steps end at its rung, a complete one's at 9.
        const last = trial.state === 'pruned' ? (trial.attrs?.['stopped_at'] as number) : 9;
        expect([1, 3, 9]).toContain(last);
        expect(steps.map((s) => s.step)).toEqual(Array.from({ length: last }, (_, i) => i + 1));
        for (const { values } of steps) {
          expect(Object.keys(values).sort()).toEqual(['acc', 'loss', 'val_acc', 'val_accuracy', 'val_loss']);
          expect(values['val_accuracy']).toBe(values['val_acc']);
        }
        if (trial.state === 'pruned') expect(trial.value).toBe(steps.at(-1)!.values['val_accuracy']);
      }
    } finally {
      await study.close();
    }
  });
});
