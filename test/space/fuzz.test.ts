/**
 * Hostile input: the space-file parser, fed generated malformed documents, must refuse each with
 * a `ValidationError` whose issues have a path and a message, or accept it as a sane space. Any
 * other exception (a TypeError, a stack overflow) is a bug; so is a hang, which the test timeout
 * catches.
 *
 * Runs are seeded, so they repeat; on failure fast-check prints the seed and the shrunk
 * counterexample. FUZZ_SEED=<n> tries another seed, FUZZ_SCALE=<k> runs k times as many cases.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { GridSampler } from '../../src/samplers/grid.js';
import { MAX_GRID_POINTS, parseSpace, validateSpaceDocument } from '../../src/space/load.js';
import { STUDY_NAME_PATTERN } from '../../src/space/schema.js';
import type { ParamSpec, SearchSpace } from '../../src/space/types.js';
import { editedTextArb, mutatedDocArb, mutatedTextArb, randomTextArb, SEED_SPACES, type FuzzCase } from './fuzz-documents.js';
import { NOOP_MODULE, SPACES_DIR } from './helpers.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20_260_611);
const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
const FILE = 'fuzz.yaml';

/** Documents per property: 11,000 in all, plus the pathological cases below. */
const RUNS = { mutatedText: 4_500, mutatedDoc: 2_000, randomText: 2_500, editedText: 2_000 };

function settings(numRuns: number): fc.Parameters<unknown> {
  return { seed: SEED, numRuns: Math.round(numRuns * SCALE) };
}

/** Documents checked so far; each property test checks that fast-check ran all of its cases. */
let documents = 0;

function expectRuns(before: number, numRuns: number): void {
  expect(documents - before).toBe(Math.round(numRuns * SCALE));
}

/** A refusal must be a ValidationError naming, for each problem, where it is and what it is. */
function expectValidationError(error: unknown): asserts error is ValidationError {
  if (!(error instanceof ValidationError)) throw error; // the bug itself: fast-check reports it with the input
  expect(error.code).toBe('E_VALIDATION');
  expect(error.issues.length).toBeGreaterThan(0);
  for (const issue of error.issues) {
    expect(typeof issue.path).toBe('string');
    expect(typeof issue.message).toBe('string');
    expect(issue.message.trim()).not.toBe('');
    for (const position of [issue.line, issue.column]) {
      if (position !== undefined) expect(Number.isSafeInteger(position) && position >= 1, `position ${position}`).toBe(true);
    }
  }
}

const isScalar = (v: unknown) => v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));

function expectSaneParam(name: string, spec: ParamSpec): void {
  const where = `params.${name}: ${JSON.stringify(spec)?.slice(0, 300)}`;
  switch (spec.type) {
    case 'fixed':
      expect(isScalar(spec.value), where).toBe(true);
      return;
    case 'categorical':
      expect(spec.choices.length, where).toBeGreaterThan(0);
      expect(spec.choices.every(isScalar), where).toBe(true);
      expect(new Set(spec.choices).size, `${where}: no choice twice`).toBe(spec.choices.length);
      return;
    case 'float':
    case 'int': {
      const numbers = [spec.low, spec.high, ...(spec.step === undefined ? [] : [spec.step]), ...(spec.values ?? [])];
      expect(numbers.every(Number.isFinite), where).toBe(true);
      if (spec.type === 'int') expect(numbers.every(Number.isSafeInteger), where).toBe(true);
      expect(spec.values === undefined ? spec.low < spec.high : spec.low <= spec.high, where).toBe(true);
      if (spec.log) expect(spec.low > 0 && (spec.type === 'int' || spec.step === undefined), where).toBe(true);
      if (spec.step !== undefined) expect(spec.step > 0, where).toBe(true);
      if (spec.grid !== undefined) expect(Number.isSafeInteger(spec.grid) && spec.grid >= 1, where).toBe(true);
      if (spec.values !== undefined) expect(new Set(spec.values).size, `${where}: no value twice`).toBe(spec.values.length);
    }
  }
}

/** An accepted space must be one the engine can run and the database can store and read back. */
function expectSaneSpace(space: SearchSpace, raw: unknown, dir: string): void {
  expect(space.study).toMatch(STUDY_NAME_PATTERN);
  expect(Number.isSafeInteger(space.seed) && space.seed >= 0).toBe(true);
  expect(['maximize', 'minimize']).toContain(space.objective.direction);
  expect(space.objective.metric).toEqual(expect.any(String));
  expect(space.objective.metric).not.toBe('');
  expect((space.objective.module === undefined) !== (space.objective.task === undefined)).toBe(true);
  if (space.objective.module !== undefined) {
    expect(path.isAbsolute(space.objective.module)).toBe(true);
    expect(statSync(space.objective.module).isFile()).toBe(true);
  }

  const { search } = space;
  expect(Number.isSafeInteger(search.trials) && search.trials >= 1, `trials ${search.trials}`).toBe(true);
  if (search.strategy === 'narrowing') {
    expect(search.trials).toBe(search.rounds * search.trialsPerRound);
    expect(search.keepTop).toBeLessThanOrEqual(search.trialsPerRound);
    expect(Number.isFinite(search.margin) && search.margin >= 0).toBe(true);
  }

  // Every param written is a param of the space ("__proto__" would set the prototype instead).
  expect(Object.getPrototypeOf(space.params)).toBe(Object.prototype);
  // A file may leave params out (an objective that asks for them itself): then there are none.
  expect(Object.keys(space.params)).toEqual(Object.keys((raw as { params?: object }).params ?? {}));
  for (const [name, spec] of Object.entries(space.params)) expectSaneParam(name, spec);
  if (search.strategy === 'grid') {
    const size = new GridSampler(space).capacity;
    expect(size).toBeLessThanOrEqual(MAX_GRID_POINTS);
    expect(search.trials).toBeLessThanOrEqual(size);
  }

  // The document is stored as JSON and validated again when a study is resumed.
  const stored = JSON.parse(JSON.stringify(raw)) as Record<string, unknown>;
  const again = validateSpaceDocument({ ...stored, seed: space.seed }, FILE, dir);
  expect(JSON.stringify(again)).toBe(JSON.stringify(space));
}

/** Parses one generated text: refused properly, or accepted as a sane space. */
function checkText({ text, dir }: FuzzCase): 'accepted' | 'refused' {
  documents++;
  let loaded;
  try {
    loaded = parseSpace(text, FILE, dir);
  } catch (error) {
    expectValidationError(error);
    return 'refused';
  }
  expectSaneSpace(loaded.space, loaded.raw, dir);
  return 'accepted';
}

describe('fuzzing parseSpace', () => {
  it('starts from valid spaces', () => {
    expect(SEED_SPACES.length).toBeGreaterThanOrEqual(10);
    for (const space of SEED_SPACES) expect(checkText(space), space.file).toBe('accepted');
  });

  it('refuses or accepts mutated valid spaces, written as YAML or JSON', () => {
    const before = documents;
    const outcomes = { accepted: 0, refused: 0 };
    fc.assert(
      fc.property(mutatedTextArb, (fuzzCase) => {
        outcomes[checkText(fuzzCase)]++;
      }),
      settings(RUNS.mutatedText),
    );
    expectRuns(before, RUNS.mutatedText);
    // The mutations are meant to break things: most are refused, but not every one.
    expect(outcomes.refused).toBeGreaterThan(outcomes.accepted);
    expect(outcomes.accepted).toBeGreaterThan(0);
  });

  it('refuses or accepts mutated documents given as objects (validateSpaceDocument)', () => {
    const before = documents;
    fc.assert(
      fc.property(mutatedDocArb, ({ doc, dir }) => {
        documents++;
        let space;
        try {
          space = validateSpaceDocument(doc, FILE, dir);
        } catch (error) {
          expectValidationError(error);
          return;
        }
        expectSaneSpace(space, doc, dir);
      }),
      settings(RUNS.mutatedDoc),
    );
    expectRuns(before, RUNS.mutatedDoc);
  });

  it('refuses random text, bytes and YAML-looking token soup', () => {
    const before = documents;
    fc.assert(fc.property(randomTextArb, (fuzzCase) => checkText(fuzzCase) === 'refused'), settings(RUNS.randomText));
    expectRuns(before, RUNS.randomText);
  });

  it('refuses or accepts valid files cut short or edited as text', () => {
    const before = documents;
    fc.assert(fc.property(editedTextArb, (fuzzCase) => void checkText(fuzzCase)), settings(RUNS.editedText));
    expectRuns(before, RUNS.editedText);
  });
});

// ---------------------------------------------------------------------------
// Pathological inputs, each a named case rather than left to chance

const NOOP = JSON.stringify(NOOP_MODULE);
const VALID_HEAD = `objective: { module: ${NOOP}, direction: maximize }\nsearch: { strategy: random, trials: 3 }\n`;
const MB = 1 << 20;

function billionLaughs(levels: number, width: number): string {
  const lines = [`l0: &l0 [${Array(width).fill('"lol"').join(', ')}]`];
  for (let i = 1; i <= levels; i++) lines.push(`l${i}: &l${i} [${Array(width).fill(`*l${i - 1}`).join(', ')}]`);
  return `${lines.join('\n')}\n`;
}

const indent = (text: string, by: string) => text.replace(/^(?=.)/gm, by);
const repeatLines = (count: number, line: (i: number) => string) => Array.from({ length: count }, (_, i) => `${line(i)}\n`).join('');

/** Name, text, and whether a space it is. */
const PATHOLOGICAL: [string, string, 'accepted' | 'refused'][] = [
  ['billion laughs (9 levels of 9 aliases)', billionLaughs(9, 9), 'refused'],
  ['an alias bomb as a param', `${VALID_HEAD}params:\n  bomb:\n${indent(billionLaughs(9, 9), '    ')}`, 'refused'],
  ['an alias bomb through merge keys', `a: &a { x: 1 }\n${repeatLines(9, (i) => `b${i}: &b${i} { <<: [${Array(9).fill(i === 0 ? '*a' : `*b${i - 1}`).join(', ')}] }`)}`, 'refused'],
  ['a mapping that contains itself', `${VALID_HEAD}params: &p { x: *p }\n`, 'refused'],
  ['a strategy that is its own search section', `objective: { module: ${NOOP}, direction: maximize }\nsearch: &s { strategy: *s, trials: 3 }\nparams: {}\n`, 'refused'],
  ['10,000 nested flow sequences', `${'['.repeat(10_000)}${']'.repeat(10_000)}`, 'refused'],
  ['10,000 nested flow mappings', `${'{a: '.repeat(10_000)}1${'}'.repeat(10_000)}`, 'refused'],
  ['10,000 nested block sequences', `${'- '.repeat(10_000)}x\n`, 'refused'],
  ['10,000 nested JSON objects', `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`, 'refused'],
  ['10,000 nested lists as a param value', `${VALID_HEAD}params:\n  x: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`, 'refused'],
  ['a 1 MB string as a param value', `${VALID_HEAD}params:\n  x: ${JSON.stringify('x'.repeat(MB))}\n`, 'accepted'],
  ['a 1 MB quoted param name', `${VALID_HEAD}params:\n  ? ${JSON.stringify('p'.repeat(MB))}\n  : 1\n`, 'accepted'],
  ['a 1 MB strategy', `objective: { module: ${NOOP}, direction: maximize }\nsearch: { strategy: ${'r'.repeat(MB)}, trials: 3 }\nparams: {}\n`, 'refused'],
  ['a 1 MB module path', `objective: { module: ${'m/'.repeat(MB / 2)}, direction: maximize }\nsearch: { strategy: random, trials: 3 }\nparams: {}\n`, 'refused'],
  ['a 1 MB plain key', `${VALID_HEAD}params: {}\n${'k'.repeat(MB)}: 1\n`, 'refused'],
  ['1 MB of spaces', ' '.repeat(MB), 'refused'],
  ['1 MB of comments', '# comment\n'.repeat(MB / 10), 'refused'],
  ['1 MB of NUL bytes', '\0'.repeat(MB), 'refused'],
  ['20,000 unknown keys', `${VALID_HEAD}params: {}\n${repeatLines(20_000, (i) => `k${i}: ${i}`)}`, 'refused'],
  ['20,000 copies of one key', `${VALID_HEAD}params:\n${'  x: 1\n'.repeat(20_000)}`, 'refused'],
  ['10,000 params with a problem each', `${VALID_HEAD}params:\n${repeatLines(10_000, (i) => `  p${i}: { type: float, low: 1 }`)}`, 'refused'],
  [
    '200 grid params of a million points each',
    `objective: { module: ${NOOP}, direction: maximize }\nsearch: { strategy: grid }\nparams:\n${repeatLines(200, (i) => `  p${i}: { type: float, low: 1, high: 2, grid: 1000000 }`)}`,
    'refused',
  ],
];

describe('pathological inputs', () => {
  it.each(PATHOLOGICAL)('%s', (_name, text, outcome) => {
    expect(checkText({ text, dir: SPACES_DIR })).toBe(outcome);
  });
});
