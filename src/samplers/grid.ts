import { HpsearchError } from '../errors.js';
import { IndexPermutation, MAX_PERMUTATION_SIZE } from '../random/permutation.js';
import { rngFor } from '../random/rng.js';
import { gridValues } from '../space/distributions.js';
import type { Params, ParamValue, SearchSpace } from '../space/types.js';
import { checkIndex } from './random.js';
import type { Sample, SampleContext, Sampler, SuggestContext } from './sampler.js';

/**
 * How a study's sample indices walk its grid: `listing` takes the points in listing order;
 * `permuted` takes them in an order drawn from the study seed.
 */
export type GridOrder = 'listing' | 'permuted';

/**
 * The cartesian product of every param's grid points. The listing has the params in declaration
 * order with the last one varying fastest; a position in it is decoded in mixed radix rather
 * than materialising the product (grids reach a million points).
 *
 * A study that runs the whole grid (its `search.trials` is the grid size, the default) takes
 * the points in listing order: index i is position i. A partial grid (`search.trials` below the
 * grid size) would then never leave the first values of its first params, so there index i is
 * position π(i), π a permutation of all the positions keyed by the study seed: the first
 * trials spread over every axis, and the same seed gives the same points. The order is read
 * from the space stored with the study, not from a run's budget, so it never changes for a
 * study: a later run with a larger `--trials` goes on along the same π, up to the whole grid.
 *
 * Either way the map from index to point is a bijection of [0, capacity), and an index always
 * names the same point: unique indices from storage therefore mean unique points across workers
 * and processes.
 *
 * Enqueued trials count toward `search.trials`, so a file that enqueues k of them leaves k fewer
 * draws, a partial grid. One that gives only some params takes the rest from the point its
 * number indexes.
 */
export class GridSampler implements Sampler {
  readonly name = 'grid';
  readonly capacity: number;
  readonly order: GridOrder;
  private readonly axes: { name: string; values: ParamValue[] }[] = [];
  /** The listing position of each index; null in listing order. */
  private readonly permutation: IndexPermutation | null = null;

  constructor(space: SearchSpace) {
    for (const [name, spec] of Object.entries(space.params)) {
      const values = gridValues(spec);
      if (values === null) {
        throw new HpsearchError('E_VALIDATION', `param "${name}" has no finite grid: give it values, grid or step`);
      }
      this.axes.push({ name, values });
    }
    this.capacity = this.axes.reduce((product, axis) => product * axis.values.length, 1);
    // The enqueued trials of the file count toward the trials: fewer draws than points is a partial grid.
    this.order = space.search.trials - space.enqueue.length < this.capacity ? 'permuted' : 'listing';
    if (this.order === 'permuted') {
      if (this.capacity > MAX_PERMUTATION_SIZE) {
        throw new HpsearchError(
          'E_VALIDATION',
          `the grid has ${this.capacity} points, more than the ${MAX_PERMUTATION_SIZE} a partial grid can be permuted over; use fewer points per param or strategy: random`,
        );
      }
      this.permutation = new IndexPermutation(this.capacity, rngFor(space.seed, 'grid-order'));
    }
  }

  async suggest({ name }: SuggestContext): Promise<ParamValue> {
    throw new HpsearchError(
      'E_USAGE',
      `grid search needs a declared space: the objective asked for param "${name}", which the space's params do not list; declare it under params (with values, grid or step), or use strategy: random or tpe`,
    );
  }

  async sample({ index }: SampleContext): Promise<Sample> {
    checkIndex(index, this.capacity);
    return { params: this.pointAt(this.permutation ? this.permutation.at(index) : index) };
  }

  /** The point at `position` in the listing. */
  private pointAt(position: number): Params {
    const chosen: ParamValue[] = new Array<ParamValue>(this.axes.length);
    let rest = position;
    for (let k = this.axes.length - 1; k >= 0; k--) {
      const { values } = this.axes[k];
      chosen[k] = values[rest % values.length];
      rest = Math.floor(rest / values.length);
    }
    const params: Params = {};
    for (const [k, { name }] of this.axes.entries()) params[name] = chosen[k];
    return params;
  }
}
