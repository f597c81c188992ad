import { HpsearchError } from '../errors.js';
import { didYouMean } from '../space/did-you-mean.js';
import type { Storage, StudyRecord } from '../storage/storage.js';

/**
 * The stored record of a study, or E_STUDY_NOT_FOUND naming the studies there are. Reading
 * commands need no more than this, so they skip parsing the stored space (and its validator).
 */
export async function findStudy(storage: Storage, name: string): Promise<StudyRecord> {
  const record = await storage.getStudy(name);
  if (record) return record;
  const names = (await storage.listStudies()).map((s) => s.name);
  const guess = didYouMean(name, names);
  const hint = guess
    ? `; did you mean "${guess}"?`
    : names.length > 0
      ? `; it has: ${names.slice(0, 10).join(', ')}${names.length > 10 ? ', ...' : ''}`
      : '; it has no studies yet: run `hpsearch run <space-file>` first';
  throw new HpsearchError('E_STUDY_NOT_FOUND', `no study "${name}" in ${storage.location}${hint}`);
}
