import { HpsearchError } from '../errors.js';
import type { PruneContext, PruneDecision, Pruner } from './pruner.js';
import { checkRungSettings, SuccessiveHalvingPruner } from './successive-halving.js';

export interface HyperbandSettings {
  minResource: number;
  reductionFactor: number;
  maxResource: number;
}

/**
 * Hyperband as Optuna builds it: one successive-halving pruner per bracket, bracket b starting its
 * rungs at minResource · η^b (so the last bracket never prunes), and each trial assigned to a
 * bracket by a hash of the study name and its number. Each bracket only competes against trials
 * of the same bracket.
 */
export class HyperbandPruner implements Pruner {
  readonly name = 'hyperband';
  readonly #brackets: SuccessiveHalvingPruner[];
  readonly #budgets: readonly number[];

  constructor(settings: HyperbandSettings, options: { metric?: string } = {}) {
    checkHyperbandSettings(settings);
    this.#budgets = bracketBudgets(settings);
    this.#brackets = this.#budgets.map(
      (_, b) =>
        new SuccessiveHalvingPruner(
          { ...settings, minEarlyStoppingRate: b, bootstrapCount: 0 },
          { ...options, label: `hyperband bracket ${b}` },
        ),
    );
  }

  get bracketCount(): number {
    return this.#brackets.length;
  }

  /** The bracket trial `trial` of study `study` belongs to (stable across runs and processes). */
  bracketOf(study: string, trial: number): number {
    return pickBracket(this.#budgets, study, trial);
  }

  async decide(ctx: PruneContext): Promise<PruneDecision> {
    const bracket = this.bracketOf(ctx.study, ctx.trial);
    const inBracket: PruneContext = {
      study: ctx.study,
      direction: ctx.direction,
      trial: ctx.trial,
      step: ctx.step,
      curve: ctx.curve,
      peersAt: async (step) => (await ctx.peersAt(step)).filter((p) => this.bracketOf(ctx.study, p.number) === bracket),
    };
    return this.#brackets[bracket]!.decide(inBracket);
  }
}

/**
 * floor(log_η(maxResource / minResource)) + 1, counted in integers: Optuna's float logarithm
 * gives log_3(243) = 4.999..., one bracket short.
 */
export function bracketCount({ minResource, reductionFactor, maxResource }: HyperbandSettings): number {
  let count = 1;
  for (let r = minResource * reductionFactor; r <= maxResource; r *= reductionFactor) count++;
  return count;
}

/** Optuna's trial allocation budget of each bracket: ceil(n · η^s / (s + 1)), s = n - 1 - b. */
export function bracketBudgets(settings: HyperbandSettings): number[] {
  const n = bracketCount(settings);
  return Array.from({ length: n }, (_, b) => {
    const s = n - 1 - b;
    return Math.ceil((n * settings.reductionFactor ** s) / (s + 1));
  });
}

/** A trial's bracket without building a pruner (for reports). */
export function hyperbandBracket(settings: HyperbandSettings, study: string, trial: number): number {
  return pickBracket(bracketBudgets(settings), study, trial);
}

/** Optuna's rule, same hash and key, so a study keeps the brackets Optuna would give it. */
function pickBracket(budgets: readonly number[], study: string, trial: number): number {
  const total = budgets.reduce((a, b) => a + b, 0);
  let n = crc32(`${study}_${trial}`) % total;
  for (let b = 0; b < budgets.length; b++) {
    n -= budgets[b]!;
    if (n < 0) return b;
  }
  throw new Error('unreachable: n < total');
}

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, i) => {
  let c = i;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});

/** CRC-32 (IEEE, as Python's binascii.crc32) of the UTF-8 bytes of `text`; unsigned. */
export function crc32(text: string): number {
  let c = 0xffffffff;
  for (const byte of new TextEncoder().encode(text)) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function checkHyperbandSettings(settings: HyperbandSettings): void {
  checkRungSettings(settings.minResource, settings.reductionFactor);
  const { minResource, maxResource } = settings;
  if (!Number.isInteger(maxResource) || maxResource <= minResource) {
    throw new HpsearchError('E_USAGE', `pruner.max_resource must be an integer > pruner.min_resource (${minResource}), got ${maxResource}`);
  }
}
