/**
 * A categorical param's `choices` and a grid axis's `values` name each value once. A repeat is
 * a mistake the user should see (a copied line left unchanged, `1` and `1.0`), not something to
 * drop quietly or to weight a random draw with.
 */
import type { PathSegment, RawIssue } from './raw-issue.js';
import { isMapping, showValue } from './schema.js';

/** The lists of a param that must not repeat a value, by the param type that has them. */
const UNIQUE_LISTS: Record<string, { key: string; noun: string }> = {
  categorical: { key: 'choices', noun: 'choice' },
  float: { key: 'values', noun: 'value' },
  int: { key: 'values', noun: 'value' },
};

/** Reports every entry of `params` lists that repeats an earlier one, at the repeat. */
export function checkRepeatedValues(params: unknown, issues: RawIssue[]): void {
  if (!isMapping(params)) return;
  for (const [name, spec] of Object.entries(params)) {
    if (!isMapping(spec) || typeof spec.type !== 'string' || !Object.hasOwn(UNIQUE_LISTS, spec.type)) continue;
    const { key, noun } = UNIQUE_LISTS[spec.type]!;
    const list = spec[key];
    if (Array.isArray(list)) checkList(list, ['params', name, key], key, noun, issues);
  }
}

function checkList(list: readonly unknown[], at: PathSegment[], key: string, noun: string, issues: RawIssue[]): void {
  // A Map compares keys by SameValueZero, as YAML and JSON compare scalars once read: 1 and 1.0
  // are one number, true and "true" (or null and "null") are different values.
  const first = new Map<unknown, number>();
  list.forEach((item, index) => {
    // Lists and mappings are not scalars (reported by the field checks); an alias would make
    // two of them the same object.
    if (typeof item === 'object' && item !== null) return;
    const earlier = first.get(item);
    if (earlier === undefined) {
      first.set(item, index);
      return;
    }
    issues.push({ path: [...at, index], message: `duplicate ${noun} ${showValue(item)} (the same as ${key}[${earlier}]); list each ${noun} once` });
  });
}
