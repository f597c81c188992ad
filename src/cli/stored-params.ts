import type { ParamSpecs } from '../space/types.js';
import type { StudyRecord } from '../storage/storage.js';
import { storedSpaceOrNull } from '../study/create.js';

/**
 * The params of a study's stored space, which `leaderboard` and `trial` show trials in the order
 * of (and with the conditions of); null when the stored space no longer validates. Rebuilding a
 * space needs the objective kinds registered: they load here, when asked, not at startup.
 */
export async function storedParams(record: StudyRecord): Promise<ParamSpecs | null> {
  await import('../objectives/builtin.js');
  return storedSpaceOrNull(record)?.params ?? null;
}
