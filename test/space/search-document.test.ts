import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { HpsearchError } from '../../src/errors.js';
import { parseSpace } from '../../src/space/load.js';
import { withOverrides } from '../../src/space/overrides.js';
import { SEARCH_SCHEMAS, TPE_DEFAULTS, tpeSearchSchema } from '../../src/space/schema.js';
import { documentStrategy, INTERCHANGEABLE_STRATEGIES, searchDocumentAs } from '../../src/space/search-document.js';
import type { Strategy } from '../../src/space/types.js';
import { baseDoc, SPACES_DIR } from './helpers.js';

/** A space document parsed as the loader would, with `search` in place of baseDoc's. */
function loaded(search: Record<string, unknown>) {
  return parseSpace(stringify({ ...baseDoc(), search }), join(SPACES_DIR, 'space.yaml'), SPACES_DIR);
}

function usage(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(HpsearchError);
    expect((error as HpsearchError).code).toBe('E_USAGE');
    return (error as Error).message;
  }
  throw new Error('expected an E_USAGE error');
}

describe('documentStrategy', () => {
  it("names the strategy of a document's search, or null when there is none it knows", () => {
    expect(documentStrategy(baseDoc())).toBe('random');
    expect(documentStrategy({ search: { strategy: 'tpe', trials: 3 } })).toBe('tpe');
    expect(documentStrategy({ search: { strategy: 'narrowing' } })).toBe('narrowing');
    for (const document of [null, 'x', [], {}, { search: null }, { search: { strategy: 'bayes' } }, { search: { strategy: ['grid'] } }, { search: { strategy: 'toString' } }]) {
      expect(documentStrategy(document)).toBeNull();
    }
  });
});

describe('TPE_DEFAULTS', () => {
  it('is what the loader fills in for a tpe search that gives only its trials', () => {
    expect(loaded({ strategy: 'tpe', trials: 20 }).space.search).toEqual({ strategy: 'tpe', trials: 20, ...TPE_DEFAULTS });
    expect(TPE_DEFAULTS).toEqual({
      startupTrials: 10,
      eiCandidates: 24,
      multivariate: false,
      constantLiar: true,
      priorWeight: 1,
      considerMagicClip: true,
      considerEndpoints: false,
    });
  });

  it("is what the schema's descriptions say", () => {
    const shape = tpeSearchSchema.shape as Record<string, { description?: string }>;
    expect(shape['startup_trials']!.description).toMatch(/Default 10\.$/);
    expect(shape['ei_candidates']!.description).toMatch(/Default 24\.$/);
    expect(shape['constant_liar']!.description).toMatch(/Default true\.$/);
  });
});

describe('searchDocumentAs', () => {
  it('turns random search into tpe with the same trials and TPE\'s defaults written out, under the file\'s spelling', () => {
    const tpe = searchDocumentAs({ strategy: 'random', trials: 12 }, 'tpe');
    expect(tpe).toEqual({
      strategy: 'tpe',
      trials: 12,
      startup_trials: 10,
      ei_candidates: 24,
      multivariate: false,
      constant_liar: true,
      prior_weight: 1,
      consider_magic_clip: true,
      consider_endpoints: false,
    });
    // Every key it writes is one the tpe schema takes, and the document validates to TPE_DEFAULTS.
    for (const key of Object.keys(tpe)) expect(Object.hasOwn(SEARCH_SCHEMAS.tpe.shape, key), key).toBe(true);
    expect(loaded(tpe).space.search).toEqual({ strategy: 'tpe', trials: 12, ...TPE_DEFAULTS });
  });

  it("turns tpe into random, keeping the trials and dropping TPE's own settings", () => {
    const random = searchDocumentAs({ strategy: 'tpe', trials: 30, startup_trials: 3, multivariate: true }, 'random');
    expect(random).toEqual({ strategy: 'random', trials: 30 });
    expect(loaded(random).space.search).toEqual({ strategy: 'random', trials: 30 });
  });

  it("keeps a search of the target strategy as it is: a tpe file's own settings, a copy", () => {
    const own = { strategy: 'tpe', trials: 8, startup_trials: 2, prior_weight: 0.5 };
    const same = searchDocumentAs(own, 'tpe');
    expect(same).toEqual(own);
    expect(same).not.toBe(own);
    expect(searchDocumentAs({ strategy: 'random', trials: 5 }, 'random')).toEqual({ strategy: 'random', trials: 5 });
  });

  it('refuses grid and narrowing either way, saying which strategies can be swapped and why', () => {
    expect(INTERCHANGEABLE_STRATEGIES).toEqual(['random', 'tpe']);
    for (const to of ['grid', 'narrowing'] as Strategy[]) {
      const message = usage(() => searchDocumentAs({ strategy: 'random', trials: 5 }, to));
      expect(message).toMatch(new RegExp(`cannot run the space with ${to} search in place of its own; only random and tpe can take one another's place`));
      expect(message).toMatch(/grid search visits the points of its grid and narrowing sets its budget in rounds/);
    }
    const fromGrid = usage(() => searchDocumentAs({ strategy: 'grid' }, 'tpe'));
    expect(fromGrid).toMatch(/^the space uses grid search, which cannot be swapped for tpe; only random and tpe .*\(set search\.strategy to random or tpe in the file\)$/);
    expect(usage(() => searchDocumentAs({ strategy: 'narrowing', rounds: 2, trials_per_round: 3 }, 'random'))).toMatch(/the space uses narrowing search/);
    expect(usage(() => searchDocumentAs({ strategy: 'bayes' }, 'random'))).toMatch(/no known strategy/);
  });
});

describe('withOverrides with a strategy', () => {
  it('stores the converted search in the document, and --trials still applies on top', () => {
    const file = loaded({ strategy: 'random', trials: 10 });
    const tpe = withOverrides(file, 'space.yaml', { strategy: 'tpe', trials: 6, study: 'base.tpe', seed: 9 });
    expect(tpe.space.search).toEqual({ strategy: 'tpe', trials: 6, ...TPE_DEFAULTS });
    expect((tpe.raw as { search: unknown }).search).toMatchObject({ strategy: 'tpe', trials: 6, startup_trials: 10 });
    expect(tpe.space).toMatchObject({ study: 'base.tpe', seed: 9, params: file.space.params });
    // The file's own document is left alone.
    expect((file.raw as { search: unknown }).search).toEqual({ strategy: 'random', trials: 10 });
    const back = withOverrides(tpe, 'space.yaml', { strategy: 'random' });
    expect(back.space.search).toEqual({ strategy: 'random', trials: 6 });
  });
});
