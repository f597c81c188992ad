import { HpsearchError } from '../errors.js';
import type { Storage, StudyRecord } from '../storage/storage.js';

/** E_TRIAL_NOT_FOUND for trial `number` of a study, saying which numbers it has. */
export async function trialNotFound(storage: Storage, study: StudyRecord, number: number): Promise<HpsearchError> {
  const total = Object.values(await storage.countTrials(study.id)).reduce((a, b) => a + b, 0);
  return new HpsearchError(
    'E_TRIAL_NOT_FOUND',
    `study "${study.name}" has no trial ${number}${total > 0 ? `: its trials are numbered 0 to ${total - 1}` : ': it has no trials yet'}`,
  );
}
