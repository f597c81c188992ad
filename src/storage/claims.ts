import { randomUUID } from 'node:crypto';

/**
 * A new claim's token: a random id stored with the trial when a run claims it. Every later write
 * of that run names it, and a write naming a token the trial no longer carries changes nothing.
 */
export function newClaimToken(): string {
  return randomUUID();
}
