import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { searchSpaceJsonSchema } from '../../src/space/json-schema.js';

const COMMITTED = fileURLToPath(new URL('../../search-space.schema.json', import.meta.url));
const fixture = (name: string): unknown =>
  parse(readFileSync(fileURLToPath(new URL(`../fixtures/spaces/${name}`, import.meta.url)), 'utf8'));

type Schema = Record<string, any>;

/**
 * Just enough of JSON Schema (the keywords zod emits for our schema) to check documents
 * against the generated file without a validator dependency. Returns the failures' paths.
 */
function violations(schema: Schema, value: unknown, at = '$'): string[] {
  const errors: string[] = [];
  const fail = (why: string) => errors.push(`${at}: ${why}`);
  const types: string[] | undefined = schema.type === undefined ? undefined : [schema.type].flat();
  if (types) {
    const actual = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
    const ok = types.some((t) => t === actual || (t === 'integer' && Number.isInteger(value)));
    if (!ok) return [`${at}: expected ${types.join('|')}, got ${actual}`];
  }
  if ('const' in schema && value !== schema.const) fail(`expected ${JSON.stringify(schema.const)}`);
  if (schema.enum && !schema.enum.includes(value)) fail(`expected one of ${schema.enum.join(', ')}`);
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) fail('below minimum');
    if (schema.maximum !== undefined && value > schema.maximum) fail('above maximum');
    if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) fail('not above exclusiveMinimum');
  }
  if (typeof value === 'string') {
    if (schema.pattern && !new RegExp(schema.pattern).test(value)) fail('pattern');
    if (schema.minLength !== undefined && value.length < schema.minLength) fail('too short');
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) fail('too few items');
    if (schema.uniqueItems === true && new Set(value.map((item) => JSON.stringify(item))).size !== value.length) fail('repeated items');
    if (schema.items) value.forEach((item, i) => errors.push(...violations(schema.items, item, `${at}[${i}]`)));
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    for (const key of schema.required ?? []) if (!(key in record)) fail(`missing ${key}`);
    for (const [key, item] of Object.entries(record)) {
      const sub = schema.properties?.[key] ?? schema.additionalProperties;
      if (sub === false) fail(`unknown key ${key}`);
      else if (sub !== undefined && sub !== true) errors.push(...violations(sub, item, `${at}.${key}`));
    }
  }
  if (schema.anyOf && !schema.anyOf.some((s: Schema) => violations(s, value, at).length === 0)) fail('matches no anyOf branch');
  if (schema.oneOf && schema.oneOf.filter((s: Schema) => violations(s, value, at).length === 0).length !== 1) {
    fail('does not match exactly one oneOf branch');
  }
  return errors;
}

describe('search-space JSON Schema', () => {
  it('is committed up to date (regenerate with npm run schema)', () => {
    const committed = JSON.parse(readFileSync(COMMITTED, 'utf8'));
    expect(committed).toEqual(searchSpaceJsonSchema());
    expect(readFileSync(COMMITTED, 'utf8')).toBe(`${JSON.stringify(searchSpaceJsonSchema(), null, 2)}\n`);
  });

  it('identifies itself', () => {
    const schema = searchSpaceJsonSchema();
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toBe('urn:hpsearch:search-space:v1');
    expect(schema.title).toBe('hpsearch search space');
  });

  it('accepts the valid example files', () => {
    const schema = searchSpaceJsonSchema();
    for (const name of ['best5.yaml', 'grid.yaml', 'narrowing-defaults.json', 'nested/relative-module.yml', 'task-idx.yaml', 'task-csv.yaml']) {
      expect(violations(schema, fixture(name)), name).toEqual([]);
    }
  });

  it('accepts every study in search-spaces/', () => {
    const schema = searchSpaceJsonSchema();
    const dir = fileURLToPath(new URL('../../search-spaces/', import.meta.url));
    const files = readdirSync(dir).filter((name) => /\.ya?ml$/.test(name));
    expect(files.length).toBeGreaterThanOrEqual(9);
    for (const name of files) {
      expect(violations(schema, parse(readFileSync(`${dir}${name}`, 'utf8'))), name).toEqual([]);
    }
  });

  it('describes tasks, rejecting what the loader rejects structurally', () => {
    const schema = searchSpaceJsonSchema();
    const doc = fixture('task-csv.yaml') as Record<string, any>;
    const withTask = (task: Record<string, unknown>) => ({ ...doc, objective: { ...doc.objective, task: { ...doc.objective.task, ...task } } });
    expect(violations(schema, withTask({ dataset: 'mnist' }))).toEqual([]);
    expect(violations(schema, withTask({ dataset: 'cifar' }))).not.toEqual([]);
    expect(violations(schema, withTask({ model: { type: 'cnn', kernel: 5 } }))).toEqual([]);
    expect(violations(schema, withTask({ model: { type: 'mlp', kernel: 5 } }))).not.toEqual([]);
    expect(violations(schema, withTask({ model: { hidden: 'wide' } }))).not.toEqual([]);
    expect(violations(schema, withTask({ train: { optimizer: 'adamw' } }))).not.toEqual([]);
    expect(violations(schema, withTask({ train: { learnig_rate: 0.1 } }))).toEqual(['$.objective.task.train: unknown key learnig_rate']);
  });

  it('describes stopping rules and pruners', () => {
    const schema = searchSpaceJsonSchema();
    const doc = fixture('best5.yaml') as Record<string, any>;
    const rules = { early_stopping: { monitor: 'val_loss', patience: 3 }, divergence: false, pruner: { type: 'asha', max_resource: 27 } };
    expect(violations(schema, { ...doc, ...rules })).toEqual([]);
    expect(violations(schema, { ...doc, divergence: { monitor: 'loss', factor: 2 }, pruner: { type: 'percentile', percentile: 10 } })).toEqual([]);
    expect(violations(schema, { ...doc, divergence: true })).not.toEqual([]);
    expect(violations(schema, { ...doc, divergence: { factor: 1 } })).not.toEqual([]);
    expect(violations(schema, { ...doc, pruner: { type: 'median', reduction_factor: 2 } })).not.toEqual([]);
    expect(violations(schema, { ...doc, pruner: { type: 'hyperbnd' } })).not.toEqual([]);
    expect(violations(schema, { ...doc, early_stopping: { patience: 0 } })).not.toEqual([]);
  });

  it('rejects what the loader rejects structurally', () => {
    const schema = searchSpaceJsonSchema();
    const doc = fixture('best5.yaml') as Record<string, any>;
    expect(violations(schema, { ...doc, sed: 1 })).toEqual(['$: unknown key sed']);
    expect(violations(schema, { ...doc, objective: { module: 'x.mjs' } })).toEqual(['$.objective: missing direction']);
    expect(violations(schema, { ...doc, params: { lr: { type: 'float', low: 0, hgih: 1 } } })).not.toEqual([]);
    expect(violations(schema, { ...doc, search: { strategy: 'random' } })).not.toEqual([]);
    expect(violations(schema, { ...doc, params: { n: { type: 'int', low: 0.5, high: 3 } } })).not.toEqual([]);
    expect(violations(schema, { ...doc, params: { c: { type: 'categorical', choices: ['a', 'b', 'a'] } } })).not.toEqual([]);
    expect(violations(schema, { ...doc, params: { c: { type: 'categorical', choices: [true, 'true'] } } })).toEqual([]);
    expect(violations(schema, { ...doc, params: { x: { type: 'float', values: [0.5, 0.5] } } })).not.toEqual([]);
  });
});
