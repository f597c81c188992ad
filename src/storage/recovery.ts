import type { RecoverOptions, RecoveredTrial } from './storage.js';

/** A running trial as recovery reads it: who owns it, and when it last showed life (beat, else start). */
export interface RunningTrialRow {
  id: number;
  number: number;
  owner: string | null;
  alive_at: number | null;
}

/**
 * Why `recoverStaleTrials` requeues a running trial, or null to leave it: a live owner keeps its
 * trials however long since they beat; a dead owner's go at once; others go once silent since
 * `staleBefore`. Both backends decide with this, inside their own transaction.
 */
export function staleReason(row: RunningTrialRow, options: RecoverOptions): RecoveredTrial['reason'] | null {
  if (row.owner !== null && options.liveOwners?.includes(row.owner)) return null;
  if (row.owner !== null && options.deadOwners?.includes(row.owner)) return 'dead-owner';
  return row.alive_at === null || row.alive_at < options.staleBefore ? 'no-heartbeat' : null;
}
