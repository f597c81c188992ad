import { hostname } from 'node:os';
import type { RecoveredTrial, Storage } from '../storage/storage.js';

/** How often a run marks its trials alive, and how long another run waits before it calls them dead. */
export const DEFAULT_HEARTBEAT_MS = 5_000;
export const DEFAULT_STALE_AFTER_MS = 60_000;

/**
 * Whether the run that owns a trial (`host:pid`) is alive: on this host the pid is asked
 * directly (a SIGKILLed run is seen at once); elsewhere it cannot be told (null), and only its
 * heartbeats say.
 */
export function ownerAlive(owner: string, host = hostname()): boolean | null {
  const at = owner.lastIndexOf(':');
  if (at <= 0 || owner.slice(0, at) !== host) return null;
  const pid = Number(owner.slice(at + 1));
  if (!Number.isSafeInteger(pid) || pid <= 0) return null;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Requeues the study's trials left running by dead runs: owners on this host whose process is
 * gone, and any owner silent for `staleAfterMs`. They run again, with the same params.
 */
export async function recoverDeadRuns(storage: Storage, studyId: number, staleAfterMs: number): Promise<RecoveredTrial[]> {
  const owners = await storage.runningOwners(studyId);
  if (owners.length === 0) return [];
  const alive = owners.map((owner) => [owner, ownerAlive(owner)] as const);
  return storage.recoverStaleTrials(studyId, {
    staleBefore: Date.now() - staleAfterMs,
    deadOwners: alive.filter(([, a]) => a === false).map(([owner]) => owner),
    // A live process of this host (even one stopped or busy) keeps its trials.
    liveOwners: alive.filter(([, a]) => a === true).map(([owner]) => owner),
  });
}

/** "3 trials (4, 7, 9) left running by host:123 (no longer running)" for a run's notes. */
export function describeRecovered(recovered: readonly RecoveredTrial[]): string {
  const byOwner = new Map<string, RecoveredTrial[]>();
  for (const trial of recovered) {
    const key = trial.owner ?? 'an unknown run';
    byOwner.set(key, [...(byOwner.get(key) ?? []), trial]);
  }
  const parts = [...byOwner].map(([owner, trials]) => {
    const why = trials[0]!.reason === 'dead-owner' ? 'no longer running' : 'no heartbeat';
    return `${trials.map((t) => t.number).join(', ')} of ${owner} (${why})`;
  });
  return `requeued ${recovered.length} trial${recovered.length === 1 ? '' : 's'} left running by a run that died: ${parts.join('; ')}; they run again with the same params`;
}

/**
 * A run's side of liveness: it beats for its own trials every `heartbeatMs`, and after each beat
 * (and whenever asked) requeues trials that dead runs left running, noting each batch.
 */
export class RunLiveness {
  readonly #storage: Storage;
  readonly #studyId: number;
  readonly #owner: string;
  readonly #staleAfterMs: number;
  readonly #onNote: ((note: string) => void) | undefined;
  #timer: NodeJS.Timeout | null = null;
  /** Trials of dead runs this run has requeued. */
  recovered = 0;

  constructor(storage: Storage, studyId: number, owner: string, staleAfterMs: number, onNote?: (note: string) => void) {
    this.#storage = storage;
    this.#studyId = studyId;
    this.#owner = owner;
    this.#staleAfterMs = staleAfterMs;
    this.#onNote = onNote;
  }

  async recover(): Promise<void> {
    const recovered = await recoverDeadRuns(this.#storage, this.#studyId, this.#staleAfterMs);
    if (recovered.length === 0) return;
    this.recovered += recovered.length;
    this.#onNote?.(describeRecovered(recovered));
  }

  /** Whether trials of other runs (other processes or hosts) are running in the study. */
  async othersRunning(): Promise<boolean> {
    return (await this.#storage.runningOwners(this.#studyId)).some((owner) => owner !== this.#owner);
  }

  start(heartbeatMs: number): void {
    this.#timer = setInterval(() => {
      this.#storage
        .heartbeat(this.#owner)
        .then(() => this.recover())
        .catch(() => {
          /* the next beat tries again; a storage that stays broken fails the trials' own writes */
        });
    }, heartbeatMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}
