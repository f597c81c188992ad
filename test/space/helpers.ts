import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { expect } from 'vitest';
import { ValidationError, type ValidationIssue } from '../../src/errors.js';
import { parseSpace } from '../../src/space/load.js';

export const SPACES_DIR = fileURLToPath(new URL('../fixtures/spaces/', import.meta.url));
export const NOOP_MODULE = fileURLToPath(new URL('../fixtures/objectives/noop.mjs', import.meta.url));

/** A valid document; tests change one part and check what is reported. */
export function baseDoc(): Record<string, any> {
  return {
    study: 'base',
    seed: 7,
    objective: { module: '../objectives/noop.mjs', direction: 'maximize' },
    search: { strategy: 'random', trials: 10 },
    params: { lr: { type: 'float', low: 0.001, high: 0.1, log: true } },
  };
}

/** Parses YAML text (or a document, stringified) that must be invalid and returns its issues. */
export function issuesOf(source: string | object, file = 'space.yaml'): ValidationIssue[] {
  const text = typeof source === 'string' ? source : stringify(source);
  try {
    parseSpace(text, file, SPACES_DIR);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return [...(error as ValidationError).issues];
  }
  throw new Error('expected a ValidationError, but the space was accepted');
}

/** The one issue at `path`, failing when there is none or several. */
export function issueAt(issues: readonly ValidationIssue[], path: string): ValidationIssue {
  const matching = issues.filter((issue) => issue.path === path);
  expect(matching, `issues at ${path} among ${JSON.stringify(issues, null, 1)}`).toHaveLength(1);
  return matching[0]!;
}

export function withParams(params: Record<string, unknown>, search: Record<string, unknown> = { strategy: 'random', trials: 10 }) {
  return { ...baseDoc(), search, params };
}
