import { HpsearchError } from '../errors.js';
import { IndexPermutation, MAX_PERMUTATION_SIZE } from '../random/permutation.js';
import { rngFor } from '../random/rng.js';
import { decideParams } from '../space/conditions.js';
import { gridValues } from '../space/distributions.js';
import { GridTree } from '../space/grid-tree.js';
import type { ParamValue, SearchSpace } from '../space/types.js';
import { checkIndex } from './random.js';
import type { Sample, SampleContext, Sampler, SuggestContext } from './sampler.js';

/**
 * How a study's sample indices walk its grid: `listing` takes the points in listing order;
 * `permuted` takes them in an order drawn from the study seed.
 */
export type GridOrder = 'listing' | 'permuted';

/**
 * Every point of the grid once: the cartesian product of the params' grid points, or with
 * conditional params the tree of them (see GridTree: a param its conditions leave out is absent,
 * and the size is the sum over branches). The listing has the params in decision order (parents
 * first, else declaration order) with the last one varying fastest; a position in it is decoded
 * by counting rather than materialising the grid (grids reach a million points).
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
 * number indexes. Its given values may pick another branch than that point's: then a param they
 * make active that the point lacks takes a grid value drawn from a stream keyed by (seed,
 * 'grid-enqueued', number, name), so enqueued trials that differ only in number spread over its
 * values, and a param never shifts another's value. Such a fill may repeat a grid point;
 * enqueueing is the user's say over the grid.
 */
export class GridSampler implements Sampler {
  readonly name = 'grid';
  readonly capacity: number;
  readonly order: GridOrder;
  private readonly space: SearchSpace;
  private readonly values: Record<string, ParamValue[]> = {};
  private readonly tree: GridTree;
  /** The listing position of each index; null in listing order. */
  private readonly permutation: IndexPermutation | null = null;

  constructor(space: SearchSpace) {
    this.space = space;
    for (const [name, spec] of Object.entries(space.params)) {
      const values = gridValues(spec);
      if (values === null) {
        throw new HpsearchError('E_VALIDATION', `param "${name}" has no finite grid: give it values, grid or step`);
      }
      this.values[name] = values;
    }
    this.tree = new GridTree(space.params, this.values);
    this.capacity = this.tree.size;
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

  async sample({ index, enqueued }: SampleContext): Promise<Sample> {
    checkIndex(index, this.capacity);
    const point = this.tree.pointAt(this.permutation ? this.permutation.at(index) : index);
    if (enqueued === undefined) return { params: point };
    // The given values decide which params exist; the point fills in those it has.
    return { params: decideParams(this.space.params, (name) => (Object.hasOwn(point, name) ? point[name] : this.enqueuedFill(index, name)), enqueued) };
  }

  /** A grid value for a param an enqueued trial's given values make active and its point lacks. */
  private enqueuedFill(index: number, name: string): ParamValue {
    const values = this.values[name];
    return values[Math.floor(rngFor(this.space.seed, 'grid-enqueued', index, name)() * values.length)];
  }
}
