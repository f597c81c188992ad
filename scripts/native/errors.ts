/**
 * Why `npm run setup:native` stopped. `missing` (exit 2): something the machine lacks or the
 * user passed wrong, each named on one line with how to get it; nothing was changed.
 * `failed` (exit 1): a step ran and failed; `detail` holds the tail of its output.
 */
export class SetupError extends Error {
  constructor(
    readonly kind: 'missing' | 'failed',
    readonly lines: readonly string[],
    readonly detail?: string,
  ) {
    super(lines.join('\n'));
    this.name = 'SetupError';
  }

  get exitCode(): 1 | 2 {
    return this.kind === 'missing' ? 2 : 1;
  }
}

/** The last `count` non-empty lines of a tool's output: what a failed compiler or pip said last. */
export function tail(output: string, count = 40): string {
  return output.trimEnd().split('\n').filter((line) => line.trim() !== '').slice(-count).join('\n');
}
