import { HpsearchError } from '../errors.js';
import type { NarrowingSearch, Params, ParamSpecs, ParamValue, SearchSpace } from '../space/types.js';
import { isFinished } from '../trial-state.js';
import { narrowParams } from './narrow-params.js';
import { checkIndex, sampleParams } from './random.js';
import { rngFor } from '../random/rng.js';
import type { PastTrial, Sample, SampleContext, Sampler, SamplerState, SuggestContext } from './sampler.js';
import { sampleParam } from '../space/distributions.js';
import { pause } from '../pause.js';

/**
 * The narrowing round a trial was drawn in, from its sampler state `{ round: n }`; null for a
 * trial narrowing did not draw (enqueued by hand, or another strategy's). What the CLI and the
 * report show as the trial's round.
 */
export function narrowingRound(trial: { readonly samplerState?: SamplerState | undefined }): number | null {
  const round = trial.samplerState?.['round'];
  return typeof round === 'number' && Number.isSafeInteger(round) && round >= 0 ? round : null;
}

/** The label leaderboards and reports show for a narrowing trial: `round 2`; null without a round. */
export function describeNarrowingState(state: SamplerState): string | null {
  const round = narrowingRound({ samplerState: state });
  return round === null ? null : `round ${round}`;
}

/**
 * Ranges of each round that the given trials determine: round 0 is the space's params; round
 * r ≥ 1 exists once round r−1 is finished (see `roundFinished`) and is `narrowParams` of
 * round r−1's ranges with the params of its best `keepTop` complete trials. At most `rounds`
 * entries. Trials without a round (enqueued by hand) take no part.
 */
export function roundRanges(space: SearchSpace, trials: readonly PastTrial[]): ParamSpecs[] {
  const search = narrowingSettings(space);
  const ranges: ParamSpecs[] = [space.params];
  for (let round = 1; round < search.rounds; round++) {
    const previous = trials.filter((trial) => narrowingRound(trial) === round - 1);
    if (!roundFinished(previous, search.trialsPerRound)) break;
    const top = bestParams(previous, search.keepTop, space.objective.direction);
    ranges.push(narrowParams(ranges[round - 1], top, search.margin));
  }
  return ranges;
}

/**
 * Finished means all `trialsPerRound` draws have params recorded and ended in any state; a
 * trial still running (or not yet given its params) keeps the next round waiting.
 */
function roundFinished(trials: readonly PastTrial[], trialsPerRound: number): boolean {
  return trials.length >= trialsPerRound && trials.every((trial) => isFinished(trial.state));
}

/** Only complete trials with a finite value rank: failed and pruned ones say nothing about where to look. */
function bestParams(trials: readonly PastTrial[], keepTop: number, direction: 'minimize' | 'maximize'): Params[] {
  const sign = direction === 'minimize' ? 1 : -1;
  return trials
    .filter((trial) => trial.state === 'complete' && trial.value !== null && Number.isFinite(trial.value))
    .sort((a, b) => sign * (a.value! - b.value!) || a.number - b.number)
    .slice(0, keepTop)
    .map((trial) => trial.params);
}

function narrowingSettings(space: SearchSpace): NarrowingSearch {
  if (space.search.strategy !== 'narrowing') {
    throw new HpsearchError('E_VALIDATION', `study "${space.study}" uses ${space.search.strategy} search, not narrowing`);
  }
  return space.search;
}

export interface NarrowingOptions {
  /** How often a draw of a later round re-reads the history while waiting. */
  pollMs?: number;
}

/**
 * Index i belongs to round floor(i / trialsPerRound) and is drawn, like random search, with
 * its own generators `rngFor(seed, 'narrowing', i, name)` inside that round's ranges. A draw of round
 * r ≥ 1 waits until round r−1 is finished, since the ranges depend on all of its results.
 */
export class NarrowingSampler implements Sampler {
  readonly name = 'narrowing';
  readonly capacity: number;
  private readonly search: NarrowingSearch;
  private readonly pollMs: number;
  /** Ranges known so far, by round; deterministic given the history, so never invalidated. */
  private ranges: ParamSpecs[];

  constructor(
    private readonly space: SearchSpace,
    options: NarrowingOptions = {},
  ) {
    this.search = narrowingSettings(space);
    this.capacity = this.search.rounds * this.search.trialsPerRound;
    this.pollMs = options.pollMs ?? 50;
    this.ranges = [space.params];
  }

  async sample({ index, history, signal, enqueued }: SampleContext): Promise<Sample> {
    // An enqueued trial belongs to no round (a round counts its own draws to know it is finished):
    // its missing params come from the whole space, at once, from a stream of their own.
    if (enqueued) return { params: sampleParams(this.space.seed, 'narrowing-enqueued', index, this.space.params, enqueued) };
    checkIndex(index, this.capacity);
    const round = Math.floor(index / this.search.trialsPerRound);
    const ranges = this.ranges[round] ?? (await this.waitForRound(round, history, signal));
    return { params: sampleParams(this.space.seed, 'narrowing', index, ranges), samplerState: { round } };
  }

  /**
   * A param the space does not declare has no ranges to narrow: it is drawn at random over the
   * range it was asked with, from a stream of its own, in every round.
   */
  async suggest({ index, name, spec, enqueued }: SuggestContext): Promise<ParamValue> {
    return sampleParam(rngFor(this.space.seed, enqueued ? 'narrowing-enqueued' : 'narrowing', index, name), spec);
  }

  private async waitForRound(round: number, history: () => Promise<readonly PastTrial[]>, signal?: AbortSignal): Promise<ParamSpecs> {
    for (;;) {
      if (signal?.aborted) {
        const error = new Error(`stopped while waiting for narrowing round ${round - 1} to finish`, { cause: signal.reason });
        error.name = 'AbortError';
        throw error;
      }
      const known = roundRanges(this.space, await history());
      if (known.length > this.ranges.length) this.ranges = known;
      const ranges = this.ranges[round];
      if (ranges !== undefined) return ranges;
      await pause(this.pollMs, signal);
    }
  }
}
