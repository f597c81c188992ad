import { hostname } from 'node:os';
import type { RecoveredTrial, Storage, TrialLease } from '../storage/storage.js';

/** How often a run marks its trials alive, and how long another run waits before it calls them dead. */
export const DEFAULT_HEARTBEAT_MS = 5_000;
export const DEFAULT_STALE_AFTER_MS = 60_000;

/** How this run sees the owner of a running trial. */
export type OwnerStatus =
  /** This run itself. */
  | 'self'
  /** Dead for sure: on this host its pid is gone, or the pid is this process's and the owner is not. */
  | 'dead'
  /** It cannot be told from here: another host, or a live pid that may have been reused. Its heartbeats say. */
  | 'unknown';

/** An owner name, `host:pid:nonce` (or `host:pid`, as hpsearch wrote it before nonces), taken apart. */
export function parseOwner(owner: string): { host: string; pid: number; nonce: string | null } | null {
  const parts = owner.split(':');
  const withNonce = parts.length >= 3 && !/^\d+$/.test(parts.at(-1)!);
  const pidAt = withNonce ? parts.length - 2 : parts.length - 1;
  const pid = Number(parts[pidAt]);
  const host = parts.slice(0, Math.max(0, pidAt)).join(':');
  if (host === '' || !/^\d+$/.test(parts[pidAt] ?? '') || !Number.isSafeInteger(pid) || pid <= 0) return null;
  return { host, pid, nonce: withNonce ? parts.at(-1)! : null };
}

/**
 * Whether the run that owns a trial is alive, as far as this process can tell. Only death is ever
 * certain: a pid of this host that is gone (a SIGKILLed run is seen at once), or this process's
 * own pid under another nonce (an earlier process whose pid was given to this one). A live pid is
 * no proof, since pids are reused and containers may share a host name; that owner's heartbeats
 * decide, after `--stale-after`.
 */
export function ownerStatus(owner: string, self: string, host = hostname()): OwnerStatus {
  if (owner === self) return 'self';
  const parsed = parseOwner(owner);
  if (parsed === null || parsed.host !== host) return 'unknown';
  if (parsed.pid === process.pid) return 'dead';
  try {
    process.kill(parsed.pid, 0);
    return 'unknown';
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? 'unknown' : 'dead';
  }
}

/**
 * Requeues the study's trials left running by dead runs: owners on this host whose process is
 * gone, and any owner but `self` silent for `staleAfterMs`. They run again, with the same params.
 */
export async function recoverDeadRuns(storage: Storage, studyId: number, self: string, staleAfterMs: number): Promise<RecoveredTrial[]> {
  const owners = await storage.runningOwners(studyId);
  if (owners.length === 0) return [];
  const seen = owners.map((owner) => [owner, ownerStatus(owner, self)] as const);
  return storage.recoverStaleTrials(studyId, {
    staleAfterMs,
    deadOwners: seen.filter(([, status]) => status === 'dead').map(([owner]) => owner),
    // This run never takes its own trials, however long since they beat (a busy event loop).
    liveOwners: [self],
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

/** A trial this run holds, and what to do when it turns out to be someone else's now. */
interface HeldTrial {
  lease: TrialLease;
  onLost: () => void;
}

/**
 * A run's side of liveness: it beats for its own trials every `heartbeatMs`, and after each beat
 * (and whenever asked) requeues trials that dead runs left running, noting each batch. It knows
 * the trials the run holds: a beat that refreshed fewer of them than that means some were taken
 * over (this run stalled), and those are found and given up at once.
 */
export class RunLiveness {
  readonly #storage: Storage;
  readonly #studyId: number;
  readonly #owner: string;
  readonly #staleAfterMs: number;
  readonly #onNote: ((note: string) => void) | undefined;
  readonly #held = new Map<number, HeldTrial>();
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
    const recovered = await recoverDeadRuns(this.#storage, this.#studyId, this.#owner, this.#staleAfterMs);
    if (recovered.length === 0) return;
    this.recovered += recovered.length;
    this.#onNote?.(describeRecovered(recovered));
  }

  /** Whether trials of other runs (other processes or hosts) are running in the study. */
  async othersRunning(): Promise<boolean> {
    return (await this.#storage.runningOwners(this.#studyId)).some((owner) => owner !== this.#owner);
  }

  /** The run holds this trial until `letGo`; `onLost` is called if a beat finds another run took it over. */
  hold(lease: TrialLease, onLost: () => void): void {
    this.#held.set(lease.id, { lease, onLost });
  }

  letGo(lease: TrialLease): void {
    this.#held.delete(lease.id);
  }

  /** One beat: refresh this run's trials, give up those taken over, requeue dead runs'. */
  async beat(): Promise<void> {
    const refreshed = await this.#storage.heartbeat(this.#owner);
    if (refreshed < this.#held.size) await this.#giveUpLost();
    await this.recover();
  }

  /**
   * Puts every trial the run still holds back in the queue (those taken over meanwhile are left
   * alone): for a run that fails, so its trials do not wait for --stale-after. Never rejects; the
   * run's own error is what matters. Resolves to how many it gave back.
   */
  async giveBack(): Promise<number> {
    let given = 0;
    for (const { lease } of [...this.#held.values()]) {
      this.#held.delete(lease.id);
      await this.#storage.releaseTrial(lease).then(() => given++, () => undefined);
    }
    return given;
  }

  async #giveUpLost(): Promise<void> {
    const held = [...this.#held.values()];
    const still = new Set(await this.#storage.heldTrials(held.map((trial) => trial.lease)));
    for (const trial of held) {
      if (still.has(trial.lease.id) || !this.#held.has(trial.lease.id)) continue;
      this.#held.delete(trial.lease.id);
      trial.onLost();
    }
  }

  start(heartbeatMs: number): void {
    this.#timer = setInterval(() => {
      this.beat().catch(() => {
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
