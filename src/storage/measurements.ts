import { strictJson } from './json-text.js';

/**
 * The `measurements` table: facts measured once and kept for every host and run of the database,
 * by key (e.g. `backend:<model shape>` → which TF.js backend trains it fastest, and the timings).
 */

/** JSON text of a measurement; E_USAGE for what JSON would not give back as it was. */
export function encodeMeasurement(value: unknown): string {
  return strictJson(value, 'a measurement');
}
