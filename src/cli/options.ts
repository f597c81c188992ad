import { existsSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import { HpsearchError } from '../errors.js';
import type { Storage } from '../storage/storage.js';
import { resolvePrunerType, PRUNER_ALIASES, PRUNER_TYPES, type PrunerType } from '../space/pruner-spec.js';
import { suggestion } from '../space/did-you-mean.js';

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError(`expected a positive integer, got "${value}"`);
  }
  return n;
}

/** `--save-models`: a positive integer, or `all`. */
export function topOrAll(value: string): number | 'all' {
  if (value.trim() === 'all') return 'all';
  try {
    return positiveInt(value);
  } catch {
    throw new InvalidArgumentError(`expected a positive integer or "all", got "${value}"`);
  }
}

/** `--pack`: auto, off, or a positive integer. */
export function packSetting(value: string): 'auto' | 'off' | number {
  const word = value.trim();
  if (word === 'auto' || word === 'off') return word;
  try {
    return positiveInt(value);
  } catch {
    throw new InvalidArgumentError(`expected auto, off or a positive integer (trials a pack), got "${value}"`);
  }
}

export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError(`expected a non-negative integer, got "${value}"`);
  }
  return n;
}

export function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) {
    throw new InvalidArgumentError(`expected a non-negative number, got "${value}"`);
  }
  return n;
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new InvalidArgumentError(`expected a positive number, got "${value}"`);
  }
  return n;
}

/** A parser that accepts one of `choices` (commander's own `.choices()` works too; this keeps the message ours). */
export function oneOf<T extends string>(choices: readonly T[]): (value: string) => T {
  return (value) => {
    if ((choices as readonly string[]).includes(value)) return value as T;
    throw new InvalidArgumentError(`expected one of ${choices.join(', ')}, got "${value}"`);
  };
}

/** A pruner type or alias (`asha`), resolved to its type. */
export function prunerName(value: string): PrunerType {
  const type = resolvePrunerType(value.trim());
  if (type) return type;
  const names = [...PRUNER_TYPES, ...Object.keys(PRUNER_ALIASES)];
  throw new InvalidArgumentError(`unknown pruner "${value}"${suggestion(value, names)} (expected one of ${names.join(', ')})`);
}

/**
 * Opens a database that must already exist, for a command that only reads it: it never creates
 * an empty one by mistake, opens one this user may not write (someone else's results, a
 * read-only folder) read-only rather than failing, and skips the whole-file check a writer makes
 * (a damaged page it reads still fails clearly). With `write`, for a command that changes a
 * study there: opened as a run opens it (checked whole, refused when it cannot be written).
 */
export async function openExistingStorage(db: string, options: { write?: boolean } = {}): Promise<Storage> {
  const file = db !== ':memory:' && !db.includes('://');
  if (file && !existsSync(db)) {
    throw new HpsearchError('E_USAGE', `no database at ${db}: run \`hpsearch run <space-file>\` first, or pass --db PATH`);
  }
  const { openStorage } = await import('../storage/open.js');
  if (options.write === true) return openStorage(db);
  const { canWriteDatabase } = await import('../storage/sqlite/file-checks.js');
  return openStorage(db, { readonly: file && !canWriteDatabase(db), verify: false });
}

/** Writes the text to stdout with exactly one trailing newline. */
export function printOut(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}
