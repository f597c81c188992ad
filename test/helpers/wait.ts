/**
 * Waiting for events in tests, never for a fixed time: a test that sleeps N ms and hopes
 * something happened meanwhile flips on a busy machine; one that waits for the thing itself
 * only gets slower.
 */

/** Generous: it only bounds a wait that normally ends at once, so that a bug fails instead of hanging. */
const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Resolves once `condition` holds, checking it every `everyMs`; rejects with `what` in the
 * message when it still does not hold after `timeoutMs`.
 */
export async function waitUntil(
  what: string,
  condition: () => boolean | Promise<boolean>,
  { everyMs = 10, timeoutMs = DEFAULT_TIMEOUT_MS }: { everyMs?: number; timeoutMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
