import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStorage } from '../../src/storage/open.js';
import type { Storage, TrialFilter } from '../../src/storage/storage.js';
import { TrialHistory } from '../../src/study/history.js';
import { useTempDir } from '../helpers/temp.js';

const tempDir = useTempDir();

/** The real SQLite storage, counting the rows each listTrials returns. */
function counting(storage: Storage): { storage: Storage; rows: number[] } {
  const rows: number[] = [];
  const listTrials = storage.listTrials.bind(storage);
  storage.listTrials = async (studyId: number, filter?: TrialFilter) => {
    const trials = await listTrials(studyId, filter);
    rows.push(trials.length);
    return trials;
  };
  return { storage, rows };
}

describe('TrialHistory', () => {
  it('reads each finished trial once and always agrees with a full listing, also with another process writing', async () => {
    const file = join(tempDir(), 'h.db');
    const ours = await openStorage(file);
    const theirs = await openStorage(file);
    try {
      const study = await ours.createStudy({ name: 's', direction: 'maximize', metric: 'value', seed: 1, space: {} });
      const { storage, rows } = counting(ours);
      const history = new TrialHistory(storage, study.id);
      const claim = async (writer: Storage) => (await writer.claimTrial(study.id, { maxTrials: 100, owner: 'o' }))!;
      const leases = [];
      for (let i = 0; i < 6; i++) leases.push(await claim(i % 2 ? theirs : ours));
      for (const lease of leases.slice(0, 4)) await ours.finishTrial(lease, { state: 'complete', value: lease.number });
      const full = async () => (await theirs.listTrials(study.id)).map((t) => [t.number, t.state]);
      const seen = async () => (await history.trials()).map((t) => [t.number, t.state]);
      expect(await seen()).toEqual(await full());
      expect(rows).toEqual([6]);
      // The two running trials finish, one is given back to the queue, two new ones appear.
      await theirs.finishTrial(leases[4], { state: 'pruned', value: 0.5 });
      await theirs.releaseTrial(leases[5]);
      await claim(theirs); // the released one, running again
      await claim(theirs);
      await theirs.enqueueTrial(study.id, { x: 1 });
      expect(await seen()).toEqual(await full());
      // Only the trials that were running (4, 5) and the new ones (6, 7) were read again.
      expect(rows).toEqual([6, 4]);
      expect(await seen()).toEqual(await full());
      expect(rows.at(-1)).toBe(3); // 5, 6 and 7 are unfinished
    } finally {
      await theirs.close();
      await ours.close();
    }
  });
});
