/**
 * Conditional spaces under the samplers that draw (random, narrowing, TPE): only active params,
 * each from a stream of its own. Grid's tree has its own tests (grid.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { NarrowingSampler } from '../../src/samplers/narrowing.js';
import { RandomSampler } from '../../src/samplers/random.js';
import type { PastTrial } from '../../src/samplers/sampler.js';
import { TpeSampler } from '../../src/samplers/tpe/tpe.js';
import { TPE_DEFAULTS } from '../../src/space/schema.js';
import type { Params, ParamSpecs, SearchSettings } from '../../src/space/types.js';
import { makeSpace, narrowingSearch, noHistory } from './helpers.js';

const SPACE: ParamSpecs = {
  lr: { type: 'float', low: 1e-5, high: 1e-1, log: true },
  optimizer: { type: 'categorical', choices: ['sgd', 'momentum', 'nesterov', 'adam'] },
  momentum: { type: 'float', low: 0.5, high: 0.99, log: false, when: { optimizer: { kind: 'in', values: ['momentum', 'nesterov'] } } },
  beta1: { type: 'float', low: 0.8, high: 0.99, log: false, when: { optimizer: { kind: 'in', values: ['adam'] } } },
  beta2: { type: 'float', low: 0.9, high: 0.9999, log: false, when: { optimizer: { kind: 'in', values: ['adam'] } } },
  layers: { type: 'int', low: 1, high: 4, log: false, step: 1 },
  units_3: { type: 'int', low: 16, high: 256, log: false, step: 1, when: { layers: { kind: 'range', min: 3 } } },
  // Nested: exists only where momentum exists and is at most 0.7.
  dampening: { type: 'float', low: 0, high: 0.5, log: false, when: { momentum: { kind: 'range', max: 0.7 } } },
};

/** The active set the conditions call for, written out by hand. */
function expectedNames(p: Params): string[] {
  const names = ['lr', 'optimizer'];
  const usesMomentum = p['optimizer'] === 'momentum' || p['optimizer'] === 'nesterov';
  if (usesMomentum) names.push('momentum');
  if (p['optimizer'] === 'adam') names.push('beta1', 'beta2');
  names.push('layers');
  if ((p['layers'] as number) >= 3) names.push('units_3');
  if (usesMomentum && (p['momentum'] as number) <= 0.7) names.push('dampening');
  return names;
}

async function randomDraws(params: ParamSpecs, count: number, seed = 42): Promise<Params[]> {
  const sampler = new RandomSampler(makeSpace(params, { strategy: 'random', trials: count }, { seed }));
  const out: Params[] = [];
  for (let index = 0; index < count; index++) out.push((await sampler.sample({ index, history: noHistory })).params);
  return out;
}

describe('random search over a conditional space', () => {
  it('draws exactly the active params, 10,000 times, with each branch as often as its parent value', async () => {
    const draws = await randomDraws(SPACE, 10_000);
    const share = (keep: (p: Params) => boolean) => draws.filter(keep).length / draws.length;
    for (const p of draws) {
      expect(Object.keys(p)).toEqual(expectedNames(p));
      for (const value of Object.values(p)) expect(value).not.toBeNull();
    }
    expect(Math.abs(share((p) => 'momentum' in p) - 0.5)).toBeLessThan(0.02);
    expect(Math.abs(share((p) => 'beta1' in p) - 0.25)).toBeLessThan(0.02);
    expect(Math.abs(share((p) => 'units_3' in p) - 0.5)).toBeLessThan(0.02);
    // dampening: momentum optimizers (1/2) × momentum ≤ 0.7 ((0.7 - 0.5) / 0.49).
    expect(Math.abs(share((p) => 'dampening' in p) - 0.5 * (0.2 / 0.49))).toBeLessThan(0.02);
    // A conditional param keeps its own distribution where it exists.
    const momenta = draws.flatMap((p) => ('momentum' in p ? [p['momentum'] as number] : []));
    expect(Math.min(...momenta)).toBeGreaterThanOrEqual(0.5);
    expect(Math.max(...momenta)).toBeLessThanOrEqual(0.99);
    expect(Math.abs(momenta.filter((m) => m < 0.745).length / momenta.length - 0.5)).toBeLessThan(0.03);
  });

  it("keeps a param's draws when an unrelated param is added, removed or made conditional", async () => {
    const base = await randomDraws(SPACE, 300);
    const added = await randomDraws({ dropout: { type: 'float', low: 0, high: 0.5, log: false }, ...SPACE, width: { type: 'int', low: 1, high: 9, log: false, step: 1 } }, 300);
    const { beta2: _removed, ...withoutBeta2 } = SPACE;
    const removed = await randomDraws(withoutBeta2, 300);
    const lrConditional = await randomDraws({ ...SPACE, lr: { ...SPACE['lr']!, when: { layers: { kind: 'range', max: 2 } } } }, 300);
    for (let i = 0; i < base.length; i++) {
      const { dropout, width, ...rest } = added[i]!;
      expect(typeof dropout).toBe('number');
      expect(typeof width).toBe('number');
      expect(rest).toEqual(base[i]);
      const { beta2, ...baseWithoutBeta2 } = base[i]!;
      expect(beta2 === undefined || typeof beta2 === 'number').toBe(true);
      expect(removed[i]).toEqual(baseWithoutBeta2);
      // lr now exists only with up to 2 layers; everything else, and lr where it exists, is unchanged.
      const { lr, ...others } = lrConditional[i]!;
      const { lr: baseLr, ...baseOthers } = base[i]!;
      expect(others).toEqual(baseOthers);
      expect(lr).toBe((base[i]!['layers'] as number) <= 2 ? baseLr : undefined);
    }
  });

  it('gives an objective that asks for a param itself what the space file would have drawn', async () => {
    const space = makeSpace(SPACE, { strategy: 'random', trials: 20 });
    const sampler = new RandomSampler(space);
    for (let index = 0; index < 20; index++) {
      const drawn = (await sampler.sample({ index, history: noHistory })).params;
      const asked = await sampler.suggest({ index, number: index, enqueued: false, name: 'lr', spec: SPACE['lr']!, params: {}, history: noHistory });
      expect(asked).toBe(drawn['lr']);
    }
  });

  it('takes an enqueued parent and draws what it makes active', async () => {
    const sampler = new RandomSampler(makeSpace(SPACE, { strategy: 'random', trials: 20 }));
    for (let index = 0; index < 20; index++) {
      const { params } = await sampler.sample({ index, history: noHistory, enqueued: { optimizer: 'adam', layers: 4 } });
      expect(Object.keys(params)).toEqual(['lr', 'optimizer', 'beta1', 'beta2', 'layers', 'units_3']);
      expect(params).toMatchObject({ optimizer: 'adam', layers: 4 });
    }
  });
});

function past(number: number, params: Params, value: number): PastTrial {
  return { number, state: 'complete', params, value, samplerState: {} };
}

describe('narrowing over a conditional space', () => {
  it('narrows each param over the kept trials in which it was active, and keeps the conditions', async () => {
    const space = makeSpace(
      {
        optimizer: { type: 'categorical', choices: ['sgd', 'momentum'] },
        momentum: { type: 'float', low: 0.5, high: 0.99, log: false, when: { optimizer: { kind: 'in', values: ['momentum'] } } },
        lr: { type: 'float', low: 1e-5, high: 1e-1, log: true },
      },
      narrowingSearch(2, 4, 3, 0),
    );
    const sampler = new NarrowingSampler(space, { pollMs: 1 });
    const history: PastTrial[] = [
      { ...past(0, { optimizer: 'momentum', momentum: 0.8, lr: 1e-3 }, 0.9), samplerState: { round: 0 } },
      { ...past(1, { optimizer: 'sgd', lr: 1e-2 }, 0.8), samplerState: { round: 0 } },
      { ...past(2, { optimizer: 'momentum', momentum: 0.9, lr: 1e-4 }, 0.7), samplerState: { round: 0 } },
      { ...past(3, { optimizer: 'momentum', momentum: 0.6, lr: 1e-1 }, 0.1), samplerState: { round: 0 } },
    ];
    const seen = new Set<string>();
    for (let index = 4; index < 8; index++) {
      const { params, samplerState } = await sampler.sample({ index, history: async () => history });
      expect(samplerState).toEqual({ round: 1 });
      seen.add(params['optimizer'] as string);
      expect(Object.keys(params)).toEqual(params['optimizer'] === 'momentum' ? ['optimizer', 'momentum', 'lr'] : ['optimizer', 'lr']);
      // The kept momenta are 0.8 and 0.9 (trial 1 had none; trial 3 was not kept): margin 0.
      if ('momentum' in params) {
        expect(params['momentum']).toBeGreaterThanOrEqual(0.8);
        expect(params['momentum']).toBeLessThanOrEqual(0.9);
      }
      expect(params['lr']).toBeGreaterThanOrEqual(1e-4);
      expect(params['lr']).toBeLessThanOrEqual(1e-2);
    }
    expect([...seen].every((o) => o === 'sgd' || o === 'momentum')).toBe(true);
  });
});

function tpeSpace(params: ParamSpecs, multivariate: boolean, trials = 40): ReturnType<typeof makeSpace> {
  const search: SearchSettings = { strategy: 'tpe', trials, ...TPE_DEFAULTS, multivariate };
  return makeSpace(params, search);
}

describe('TPE over a conditional space', () => {
  /** 30 finished trials: adam with beta1 near 0.95 does best, sgd worst, momentum in between. */
  function history(): PastTrial[] {
    const trials: PastTrial[] = [];
    const optimizers = ['sgd', 'momentum', 'nesterov', 'adam'];
    for (let n = 0; n < 32; n++) {
      const optimizer = optimizers[n % 4]!;
      const params: Params = { lr: 10 ** (-5 + (n % 5)), optimizer, layers: 1 + (n % 4) };
      if (optimizer === 'momentum' || optimizer === 'nesterov') params['momentum'] = 0.5 + ((n * 7) % 10) / 21;
      if (optimizer === 'adam') {
        params['beta1'] = 0.8 + ((n * 3) % 10) / 53;
        params['beta2'] = 0.9 + ((n * 5) % 10) / 101;
      }
      if ((params['layers'] as number) >= 3) params['units_3'] = 16 + ((n * 11) % 240);
      const value = optimizer === 'adam' ? 0.9 - Math.abs((params['beta1'] as number) - 0.95) : optimizer === 'sgd' ? 0.1 : 0.5;
      trials.push(past(n, params, value));
    }
    return trials;
  }

  for (const multivariate of [false, true]) {
    it(`${multivariate ? 'multivariate' : 'univariate'}: draws only active params, and models each from the trials where it was active`, async () => {
      const sampler = new TpeSampler(tpeSpace(SPACE, multivariate));
      const trials = history();
      const draws: Params[] = [];
      for (let index = 32; index < 72; index++) {
        const { params, samplerState } = await sampler.sample({ index, number: index, history: async () => trials });
        expect(samplerState).toEqual({ phase: 'tpe' });
        expect(Object.keys(params)).toEqual(expectedNames(params));
        draws.push(params);
      }
      // The good trials are all adam: TPE mostly picks adam, and beta1 near 0.95 there.
      const adam = draws.filter((p) => p['optimizer'] === 'adam');
      expect(adam.length / draws.length).toBeGreaterThan(0.6);
      const beta1 = adam.map((p) => p['beta1'] as number);
      expect(beta1.filter((b) => Math.abs(b - 0.95) < 0.05).length / beta1.length).toBeGreaterThan(0.6);
    });
  }

  it('fits a conditional param on no trial at all when it was never active (its prior), without failing', async () => {
    const sampler = new TpeSampler(tpeSpace(SPACE, true));
    const onlySgd = history().map((t) => ({ ...t, params: { lr: t.params['lr']!, optimizer: 'sgd', layers: 1 } }));
    const { params } = await sampler.sample({ index: 40, number: 40, history: async () => onlySgd, enqueued: { optimizer: 'adam' } });
    expect(Object.keys(params)).toEqual(['lr', 'optimizer', 'beta1', 'beta2', 'layers']);
    expect(params['beta1']).toBeGreaterThanOrEqual(0.8);
    expect(params['beta1']).toBeLessThanOrEqual(0.99);
  });

  it('suggest (define-by-run) models an asked param over the trials that have it', async () => {
    const sampler = new TpeSampler(tpeSpace({}, false));
    const trials: PastTrial[] = [];
    for (let n = 0; n < 30; n++) {
      const params: Params = { wd: 10 ** (-8 + (n % 5)) };
      if (n % 3 !== 0) params['dropout'] = (n % 10) / 20;
      trials.push(past(n, params, -Math.abs(Math.log10(params['wd'] as number) + 6)));
    }
    const spec = { type: 'float', low: 1e-8, high: 1e-3, log: true } as const;
    const asked: number[] = [];
    for (let index = 30; index < 60; index++) {
      asked.push((await sampler.suggest({ index, number: index, enqueued: false, name: 'wd', spec, params: {}, history: async () => trials })) as number);
    }
    expect(asked.every((x) => x >= 1e-8 && x <= 1e-3)).toBe(true);
    expect(asked.filter((x) => Math.abs(Math.log10(x) + 6) < 1).length / asked.length).toBeGreaterThan(0.6);
  });
});

describe('TPE over a space that declares no params (define-by-run)', () => {
  it("labels its trials with the phase suggest is in: startup, then tpe", async () => {
    const sampler = new TpeSampler(tpeSpace({}, false));
    const trials = Array.from({ length: 12 }, (_, n) => past(n, { wd: 10 ** (-8 + (n % 5)) }, n));
    const phase = async (n: number) => (await sampler.sample({ index: n, number: n, history: async () => trials.slice(0, n) })).samplerState;
    expect(await phase(9)).toEqual({ phase: 'startup' });
    expect(await phase(10)).toEqual({ phase: 'tpe' });
    expect((await sampler.sample({ index: 10, number: 10, history: async () => trials.slice(0, 10) })).params).toEqual({});
  });
});
