/**
 * fast-check generators of malformed search-space documents, for the fuzz tests of the parser
 * (test/space/fuzz.test.ts) and of `hpsearch run` (test/cli/space-fuzz.e2e.test.ts).
 *
 * Three families: valid spaces with random structural mutations, serialised as YAML or JSON;
 * text that is not a space at all (random strings, bytes, YAML-looking token soup); and valid
 * files cut or edited as text. Each generated case names the folder a relative objective module
 * is looked up from, so a mutation that keeps a space valid still finds its module.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { REPO } from '../helpers/temp.js';

/** A valid space file of the repository: the starting point of mutations. */
export interface SeedSpace {
  file: string;
  dir: string;
  text: string;
  doc: Record<string, unknown>;
}

/** One generated document: its text and the folder it is parsed as if it were in. */
export interface FuzzCase {
  text: string;
  dir: string;
}

const SEED_DIRS = ['search-spaces', 'test/fixtures/spaces', 'test/fixtures/spaces/nested'];

export const SEED_SPACES: readonly SeedSpace[] = SEED_DIRS.flatMap((folder) => {
  const dir = path.join(REPO, folder);
  return readdirSync(dir)
    .filter((name) => /\.(ya?ml|json)$/.test(name) && name !== 'broken.yaml')
    .sort()
    .map((name) => {
      const text = readFileSync(path.join(dir, name), 'utf8');
      return { file: path.join(dir, name), dir, text, doc: parse(text) as Record<string, unknown> };
    });
});

// ---------------------------------------------------------------------------
// Values and keys

const NUMBERS = [
  0, -0, 1, -1, 0.5, -0.5, 2, 3, 7, 100, 999_999, 1_000_000, 1_000_001, 2 ** 31, 2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2, -(2 ** 53),
  1e21, 1e308, -1e308, Number.MAX_VALUE, Number.MIN_VALUE, Number.EPSILON, NaN, Infinity, -Infinity,
];

const STRINGS = [
  '', ' ', '\t', '\n', 'NaN', '.nan', 'nan', '.inf', '-.inf', 'Infinity', '-Infinity', '1e999', '-1e999', '1e-400', '0x1F', '0o17',
  '1_000', '00', '-0', '+1', '1.', '.5', ' 3 ', '١٢٣', '１２', 'true', 'yes', 'no', 'on', 'off', 'null', '~',
  'float', 'int', 'categorical', 'fixed', 'grid', 'random', 'narrowing', 'maximize', 'minimize', 'min', 'max',
  'none', 'median', 'percentile', 'successive_halving', 'asha', 'hyperband', 'mnist', 'fashion-mnist', 'builtin', 'idx', 'csv',
  'mlp', 'cnn', 'sgd', 'adam', 'relu', 'he_normal', 'constant', 'exponential', 'step', 'power',
  'val_loss', 'val_accuracy', 'train_loss', 'train_accuracy', 'value', 'loss',
  '100x6', '512-256-128', '100x1000000000', '0x0', '1-', '-1',
  '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf',
  '../objectives/noop.mjs', '../objectives', '../objectives/noop.mjs/x', '../../objectives/noop.mjs', './objectives/quadratic.mjs',
  'data/tiny.csv', 'data', '/', '.', '..', '/dev/null', 'a\0b', '\0', 'a'.repeat(5000),
  'é', 'ß', 'İ', '\u202e', '💥', '\uFEFF', '\ud800', '\r\n', '- a', ': x', '{', '[', '*a', '&a', '!!binary', '#', '%', '@', '`',
  "'", '"', '\\', '${x}', '<<', '---', '...',
];

/** Keys the format knows, anywhere in it: the raw material of unknown, misplaced and misspelt keys. */
const KNOWN_KEYS = [
  '$schema', 'study', 'description', 'seed', 'objective', 'search', 'params', 'early_stopping', 'divergence', 'pruner',
  'module', 'task', 'metric', 'direction', 'strategy', 'trials', 'rounds', 'trials_per_round', 'keep_top', 'margin',
  'type', 'low', 'high', 'log', 'step', 'values', 'grid', 'choices', 'value', 'dataset', 'model', 'train', 'name', 'path',
  'images', 'labels', 'label_column', 'train_samples', 'validation_split', 'validation_samples', 'use_test_set', 'scale',
  'shuffle', 'hidden', 'filters', 'kernel', 'dense', 'activation', 'initializer', 'init_std', 'dropout', 'batch_norm',
  'optimizer', 'learning_rate', 'momentum', 'batch_size', 'epochs', 'weight_decay', 'schedule', 'rate', 'every', 'factor',
  'monitor', 'mode', 'patience', 'min_delta', 'restore_best', 'min_resource', 'max_resource', 'reduction_factor',
  'warmup_steps', 'startup_trials', 'min_trials', 'interval_steps', 'min_early_stopping_rate', 'bootstrap_count',
];

const keyArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...KNOWN_KEYS) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...KNOWN_KEYS), fc.nat()).map(([key, edit]) => typo(key, edit)) },
  { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', '', ' ', '<<', '0', '1e3', 'null', 'a.b', 'x'.repeat(2000)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
);

const scalarArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NUMBERS) },
  { weight: 3, arbitrary: fc.constantFrom(...STRINGS) },
  { weight: 2, arbitrary: fc.double() },
  { weight: 2, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 100_000 }).map((n) => 'x'.repeat(n)) },
);

/** Any value a mutation puts in place of another: scalars, small lists and mappings, long lists, deep nesting. */
const hostileValueArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: scalarArb },
  { weight: 2, arbitrary: fc.array(scalarArb, { maxLength: 6 }) },
  { weight: 2, arbitrary: fc.dictionary(keyArb, scalarArb, { maxKeys: 4 }) },
  { weight: 1, arbitrary: fc.constantFrom([], {}, [[]], [{}], { type: null }, { type: 'float' }, { low: 0, high: 1 }) },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 3_000 }).map((n) => Array.from({ length: n }, (_, i) => i / 2)) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 2, max: 200 }), fc.boolean()).map(([depth, list]) => nested(depth, list, 1)) },
);

function nested(depth: number, list: boolean, leaf: unknown): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = list ? [value] : { a: value };
  return value;
}

/** One small edit of a word, the kind a person makes: swapped, dropped, doubled or changed letters. */
function typo(word: string, edit: number): string {
  if (word.length === 0) return 'x';
  const i = edit % word.length;
  switch (Math.floor(edit / word.length) % 6) {
    case 0:
      return word.slice(0, i) + word.slice(i + 1);
    case 1:
      return word.slice(0, i) + word[i] + word.slice(i);
    case 2:
      return i + 1 < word.length ? word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2) : `${word}s`;
    case 3:
      return word.toUpperCase();
    case 4:
      return ` ${word}`;
    default:
      return `${word.slice(0, i)}x${word.slice(i + 1)}`;
  }
}

// ---------------------------------------------------------------------------
// Structural mutations

type Segment = string | number;

type Mutation =
  | { kind: 'delete'; at: number }
  | { kind: 'replace'; at: number; value: unknown }
  | { kind: 'add'; at: number; key: string; value: unknown }
  | { kind: 'rename'; at: number; key: string }
  | { kind: 'typo'; at: number; edit: number }
  | { kind: 'swap'; at: number }
  | { kind: 'wrap'; at: number; list: boolean; depth: number }
  /** Puts a reference to another part (maybe an ancestor: a cycle) in place: YAML aliases. */
  | { kind: 'link'; at: number; to: number };

const at = fc.nat();
const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('delete' as const), at }) },
  { weight: 9, arbitrary: fc.record({ kind: fc.constant('replace' as const), at, value: hostileValueArb }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('add' as const), at, key: keyArb, value: hostileValueArb }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('rename' as const), at, key: keyArb }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('typo' as const), at, edit: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('swap' as const), at }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('wrap' as const), at, list: fc.boolean(), depth: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('link' as const), at, to: fc.nat() }) },
);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The paths of a document's parts, root first; long lists and deep nesting are sampled, not walked. */
function pathsOf(doc: unknown): Segment[][] {
  const paths: Segment[][] = [];
  const seen = new Set<unknown>();
  const walk = (value: unknown, path: Segment[]) => {
    paths.push(path);
    if (typeof value !== 'object' || value === null || seen.has(value) || path.length > 8) return;
    seen.add(value);
    if (Array.isArray(value)) value.slice(0, 8).forEach((item, i) => walk(item, [...path, i]));
    else for (const key of Object.keys(value).slice(0, 40)) walk((value as Record<string, unknown>)[key], [...path, key]);
  };
  walk(doc, []);
  return paths;
}

function get(doc: unknown, path: readonly Segment[]): unknown {
  let value = doc;
  for (const segment of path) value = (value as Record<Segment, unknown>)[segment];
  return value;
}

/** Sets an own property even for "__proto__", which plain assignment would turn into a prototype. */
function define(target: Record<Segment, unknown>, key: Segment, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Replaces the part at `path`; the root is replaced by returning the new value. */
function put(doc: unknown, path: readonly Segment[], value: unknown): unknown {
  if (path.length === 0) return value;
  define(get(doc, path.slice(0, -1)) as Record<Segment, unknown>, path.at(-1)!, value);
  return doc;
}

function renameKey(object: Record<string, unknown>, from: string, to: string): void {
  const entries = Object.entries(object);
  for (const key of Object.keys(object)) delete object[key];
  for (const [key, value] of entries) define(object, key === from ? to : key, value);
}

function applyMutation(doc: unknown, mutation: Mutation): unknown {
  const paths = pathsOf(doc);
  const path = paths[mutation.at % paths.length]!;
  const parentPath = path.slice(0, -1);
  const parent = path.length > 0 ? get(doc, parentPath) : undefined;
  const last = path.at(-1);
  const value = get(doc, path);
  switch (mutation.kind) {
    case 'delete':
      if (Array.isArray(parent)) parent.splice(last as number, 1);
      else if (isObject(parent)) delete parent[last as string];
      else return undefined;
      return doc;
    case 'replace':
      return put(doc, path, structuredClone(mutation.value));
    case 'add':
      if (Array.isArray(value)) value.push(structuredClone(mutation.value));
      else if (isObject(value)) define(value, mutation.key, structuredClone(mutation.value));
      else return put(doc, path, { [mutation.key]: structuredClone(mutation.value) });
      return doc;
    case 'rename':
      if (isObject(parent) && typeof last === 'string') renameKey(parent, last, mutation.key);
      return doc;
    case 'typo':
      if (typeof value === 'string') return put(doc, path, typo(value, mutation.edit));
      if (isObject(parent) && typeof last === 'string') renameKey(parent, last, typo(last, mutation.edit));
      return doc;
    case 'swap':
      if (isObject(value) && 'low' in value && 'high' in value) [value.low, value.high] = [value.high, value.low];
      else if (isObject(parent) && typeof last === 'string') {
        const other = Object.keys(parent).find((key) => key !== last);
        if (other !== undefined) [parent[last], parent[other]] = [parent[other], parent[last]];
      }
      return doc;
    case 'wrap':
      return put(doc, path, nested(mutation.depth, mutation.list, value));
    case 'link':
      if (path.length === 0) return doc;
      return put(doc, path, get(doc, paths[mutation.to % paths.length]!));
  }
}

type Format = 'yaml' | 'yaml-flow' | 'json' | 'json-compact';

function serialise(doc: unknown, format: Format): string {
  if (format === 'json' || format === 'json-compact') {
    try {
      // NaN and infinities become null, as any JSON writer does; a cycle cannot be written: YAML it is.
      return JSON.stringify(doc, null, format === 'json' ? 2 : undefined) ?? '';
    } catch {
      return stringify(doc);
    }
  }
  return stringify(doc, format === 'yaml-flow' ? { collectionStyle: 'flow' } : {}) ?? '';
}

/** A valid space, mutated 1 to 4 times, as a document (for `validateSpaceDocument`). */
export const mutatedDocArb = fc
  .record({ seed: fc.nat(SEED_SPACES.length - 1), mutations: fc.array(mutationArb, { minLength: 1, maxLength: 4 }) })
  .map(({ seed, mutations }) => {
    const space = SEED_SPACES[seed]!;
    let doc: unknown = structuredClone(space.doc);
    for (const mutation of mutations) doc = applyMutation(doc, mutation);
    return { doc, dir: space.dir };
  });

/** A mutated valid space written out as YAML or JSON. */
export const mutatedTextArb: fc.Arbitrary<FuzzCase> = fc
  .tuple(mutatedDocArb, fc.constantFrom<Format>('yaml', 'yaml', 'yaml-flow', 'json', 'json-compact'))
  .map(([{ doc, dir }, format]) => ({ text: serialise(doc, format), dir }));

// ---------------------------------------------------------------------------
// Text

const FIXTURE_DIR = path.join(REPO, 'test', 'fixtures', 'spaces');

/** YAML's indicators, tags, directives and the format's keys and values, to be strung together. */
const TOKENS = [
  '\n', '\n  ', '\n    ', '  ', ' ', '- ', '-', ': ', ':', '? ', '{', '}', '[', ']', ',', '&a ', '*a', '&b ', '*b', '*zz',
  '!!str ', '!!int ', '!!float ', '!!map ', '!!seq ', '!!omap ', '!!set ', '!!pairs ', '!!binary ', '!!timestamp ', '!local ',
  '!<tag:x,2000:y> ', '|', '|-', '>', '>+', '#', '# c\n', '"', "'", '\\', '---\n', '...\n', '%YAML 1.1\n---\n', '%YAML 1.2\n---\n',
  '%TAG ! tag:x,2000:\n---\n', '<<: ', '<<: *a', '~', 'null', 'true', '.nan', '.inf', '-.inf', '0x1F', '1e999', '1_000',
  '2001-12-14', '1:30', '\t', '\r\n', '\r', '\uFEFF', '\0', '\u2028', '\u0085',
  ...KNOWN_KEYS.map((key) => `${key}: `),
  ...['float', 'int', 'categorical', 'fixed', 'random', 'grid', 'narrowing', 'maximize', '0', '1', '-1', '1.0e-4', '100'],
];

const tokenSoupArb = fc.array(fc.constantFrom(...TOKENS), { maxLength: 80 }).map((tokens) => tokens.join(''));

/** Text that is rarely a space at all: any string, bytes read as UTF-8 or Latin-1, token soup. */
export const randomTextArb: fc.Arbitrary<FuzzCase> = fc
  .oneof(
    fc.string({ maxLength: 300 }),
    fc.string({ unit: 'binary', maxLength: 300 }),
    fc.string({ unit: 'grapheme', maxLength: 100 }),
    fc.uint8Array({ maxLength: 400 }).map((bytes) => Buffer.from(bytes).toString('utf8')),
    fc.uint8Array({ maxLength: 400 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
    { weight: 4, arbitrary: tokenSoupArb },
  )
  .map((text) => ({ text, dir: FIXTURE_DIR }));

type TextEdit =
  | { kind: 'cut'; at: number }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'line'; at: number; op: 'drop' | 'double' | 'indent' | 'dedent' | 'tab' };

const textEditArb: fc.Arbitrary<TextEdit> = fc.oneof(
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 5 })) }),
  fc.record({ kind: fc.constant('line' as const), at: fc.nat(), op: fc.constantFrom('drop' as const, 'double' as const, 'indent' as const, 'dedent' as const, 'tab' as const) }),
);

function applyTextEdit(text: string, edit: TextEdit): string {
  const offset = edit.at % (text.length + 1);
  switch (edit.kind) {
    case 'cut':
      return text.slice(0, offset);
    case 'delete':
      return text.slice(0, offset) + text.slice(offset + edit.length);
    case 'insert':
      return text.slice(0, offset) + edit.text + text.slice(offset);
    case 'line': {
      const lines = text.split('\n');
      const i = edit.at % lines.length;
      const line = lines[i]!;
      const replaced = { drop: [], double: [line, line], indent: [`  ${line}`], dedent: [line.replace(/^ {1,2}/, '')], tab: [`\t${line}`] }[edit.op];
      return [...lines.slice(0, i), ...replaced, ...lines.slice(i + 1)].join('\n');
    }
  }
}

/** A valid file cut short or edited as text: truncated, a span deleted, a token inserted, lines dropped or re-indented. */
export const editedTextArb: fc.Arbitrary<FuzzCase> = fc
  .record({ seed: fc.nat(SEED_SPACES.length - 1), edits: fc.array(textEditArb, { minLength: 1, maxLength: 3 }) })
  .map(({ seed, edits }) => {
    const space = SEED_SPACES[seed]!;
    return { text: edits.reduce(applyTextEdit, space.text), dir: space.dir };
  });

/** Every family at once, for a sample of malformed files. */
export const anyMalformedArb: fc.Arbitrary<FuzzCase> = fc.oneof(mutatedTextArb, randomTextArb, editedTextArb);
