import { describe, expect, it } from 'vitest';
import { resolveSamplers, resolveStrategies } from '../../src/compare/strategies.js';
import { TPE_DEFAULTS } from '../../src/space/schema.js';
import { HpsearchError } from '../../src/errors.js';
import type { PrunerSpec } from '../../src/space/pruner-spec.js';
import type { SearchSpace } from '../../src/space/types.js';

/** The parts of a space resolveStrategies reads: a task of `epochs` epochs (or a module) and its pruner. */
function space(pruner: PrunerSpec, epochs: number | null = 50): Pick<SearchSpace, 'objective' | 'params' | 'pruner'> {
  const objective =
    epochs === null
      ? { metric: 'value', direction: 'maximize' as const, module: '/abs/objective.mjs' }
      : ({ metric: 'val_accuracy', direction: 'maximize', task: { train: { epochs } } } as unknown as SearchSpace['objective']);
  return { objective, params: {}, pruner };
}

describe('resolveStrategies', () => {
  it('puts none first, keeps the names given, and sizes defaults by the task epochs', () => {
    const { strategies, added } = resolveStrategies(['asha', 'none', 'hyperband'], space({ type: 'none' }));
    expect(added).toBe(false);
    expect(strategies.map((s) => s.name)).toEqual(['none', 'asha', 'hyperband']);
    expect(strategies[1]!.pruner).toMatchObject({ type: 'successive_halving', maxResource: 50 });
    expect(strategies[2]!.pruner).toMatchObject({ type: 'hyperband', maxResource: 50 });
  });

  it("uses the space file's pruner settings when the type matches", () => {
    const own: PrunerSpec = { type: 'successive_halving', minResource: 5, reductionFactor: 4, maxResource: 50, minEarlyStoppingRate: 0, bootstrapCount: 0 };
    const { strategies } = resolveStrategies(['none', 'asha', 'median'], space(own));
    expect(strategies[1]!.pruner).toBe(own);
    expect(strategies[2]!.pruner.type).toBe('median');
  });

  it('adds the reference none when it is missing', () => {
    const { strategies, added } = resolveStrategies(['median'], space({ type: 'none' }));
    expect(added).toBe(true);
    expect(strategies.map((s) => s.name)).toEqual(['none', 'median']);
  });

  it('refuses unknown names with a suggestion, duplicates and empty names, as usage errors', () => {
    const usage = (names: string[]) => {
      try {
        resolveStrategies(names, space({ type: 'none' }));
      } catch (error) {
        expect(error).toBeInstanceOf(HpsearchError);
        expect((error as HpsearchError).exitCode).toBe(2);
        return (error as Error).message;
      }
      throw new Error(`accepted ${names.join(',')}`);
    };
    expect(usage(['none', 'ashaa'])).toMatch(/unknown pruning strategy "ashaa"; did you mean "asha"\?.*expected one of none, median, percentile, successive_halving, hyperband, asha/);
    expect(usage(['none', 'hyprband'])).toMatch(/did you mean "hyperband"/);
    expect(usage(['asha', 'successive_halving'])).toMatch(/twice \("asha" and "successive_halving"\)/);
    expect(usage(['none', ''])).toMatch(/empty name/);
    expect(usage([])).toMatch(/empty/);
  });

  it('hyperband on a module objective without max_resource is a usage error that says what to add', () => {
    expect(() => resolveStrategies(['none', 'hyperband'], space({ type: 'none' }, null))).toThrow(/max_resource/);
  });
});

describe('resolveStrategies on a module objective', () => {
  it("sizes defaults by the max_resource of the file's own pruner", () => {
    const own: PrunerSpec = { type: 'successive_halving', minResource: 1, reductionFactor: 3, maxResource: 9, minEarlyStoppingRate: 0, bootstrapCount: 0 };
    const { strategies } = resolveStrategies(['none', 'hyperband'], space(own, null));
    expect(strategies[1]!.pruner).toMatchObject({ type: 'hyperband', maxResource: 9 });
  });
});

describe('resolveSamplers', () => {
  const random = { search: { strategy: 'random', trials: 10 } } as const;
  const usage = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      expect(error).toBeInstanceOf(HpsearchError);
      expect((error as HpsearchError).exitCode).toBe(2);
      return (error as Error).message;
    }
    throw new Error('accepted');
  };

  it('keeps the order given, the first being the reference sampler, on a random or tpe space', () => {
    expect(resolveSamplers(['random', 'tpe'], random)).toEqual(['random', 'tpe']);
    expect(resolveSamplers([' tpe', 'random '], random)).toEqual(['tpe', 'random']);
    expect(resolveSamplers(['random'], { search: { strategy: 'tpe', trials: 5, ...TPE_DEFAULTS } })).toEqual(['random']);
  });

  it('refuses grid and narrowing, saying which samplers can be compared and why', () => {
    for (const name of ['grid', 'narrowing']) {
      expect(usage(() => resolveSamplers(['random', name], random))).toMatch(
        new RegExp(`^--samplers: ${name} cannot be compared; only random and tpe can take one another's place: each draws every trial from the whole space with trials as its only budget, while grid search visits the points of its grid and narrowing sets its budget in rounds$`),
      );
    }
    const narrowing = { search: { strategy: 'narrowing', rounds: 2, trialsPerRound: 5, keepTop: 2, margin: 0.1, trials: 10 } } as const;
    expect(usage(() => resolveSamplers(['random', 'tpe'], narrowing))).toMatch(/^--samplers: the space uses narrowing search, so no other sampler can run it; only random and tpe .*search\.strategy: random or tpe$/);
  });

  it('refuses unknown names with a suggestion, repeats and empty lists', () => {
    expect(usage(() => resolveSamplers(['random', 'tep'], random))).toMatch(/unknown sampler "tep"; did you mean "tpe"\? \(expected one of random, tpe\)/);
    expect(usage(() => resolveSamplers(['tpe', 'tpe'], random))).toMatch(/names tpe twice/);
    expect(usage(() => resolveSamplers(['random', ''], random))).toMatch(/empty name/);
    expect(usage(() => resolveSamplers([], random))).toMatch(/--samplers is empty; give e\.g\. random,tpe/);
  });
});
