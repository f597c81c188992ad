import type { RecoverOptions, RecoveredTrial } from './storage.js';

/**
 * A running trial as recovery reads it: who owns it, and how long ago it last showed life (beat,
 * else start), in ms by the storage's own clock; null if it never did.
 */
export interface RunningTrialRow {
  id: number;
  number: number;
  owner: string | null;
  silent_ms: number | null;
}

/**
 * Why `recoverStaleTrials` requeues a running trial, or null to leave it: a live owner keeps its
 * trials however long since they beat; a dead owner's go at once; others go once silent for longer than
 * `staleAfterMs`. Both backends decide with this, inside their own transaction.
 */
export function staleReason(row: RunningTrialRow, options: RecoverOptions): RecoveredTrial['reason'] | null {
  if (row.owner !== null && options.liveOwners?.includes(row.owner)) return null;
  if (row.owner !== null && options.deadOwners?.includes(row.owner)) return 'dead-owner';
  return row.silent_ms === null || Number(row.silent_ms) > options.staleAfterMs ? 'no-heartbeat' : null;
}
