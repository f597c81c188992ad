import { HpsearchError } from '../errors.js';

/**
 * JSON text of `value`, for a column that must give back exactly what was stored; E_USAGE naming
 * `what` for anything JSON would not (NaN, ±Infinity, undefined, functions, symbols, bigints).
 */
export function strictJson(value: unknown, what: string): string {
  return JSON.stringify(value, (key: string, item: unknown) => {
    const kind = typeof item;
    if (item === null || kind === 'string' || kind === 'boolean' || kind === 'object' || (kind === 'number' && Number.isFinite(item))) return item;
    const name = key === '' ? what : `${what} "${key}"`;
    throw new HpsearchError('E_USAGE', `${name} is ${kind === 'number' ? String(item) : kind}, which JSON cannot store; use finite numbers, strings, booleans, null, arrays and objects`);
  });
}
