import { HpsearchError } from '../errors.js';
import { gridValues } from '../space/distributions.js';
import type { Params, ParamValue, SearchSpace } from '../space/types.js';
import { checkIndex } from './random.js';
import type { Sample, SampleContext, Sampler } from './sampler.js';

/**
 * The cartesian product of every param's grid points, params in declaration order with the
 * last one varying fastest. Index i is decoded in mixed radix rather than materialising the
 * product (grids reach a million points), and always names the same point: unique indices
 * from storage therefore mean unique points across workers and processes.
 */
export class GridSampler implements Sampler {
  readonly name = 'grid';
  readonly capacity: number;
  private readonly axes: { name: string; values: ParamValue[] }[] = [];

  constructor(space: SearchSpace) {
    for (const [name, spec] of Object.entries(space.params)) {
      const values = gridValues(spec);
      if (values === null) {
        throw new HpsearchError('E_VALIDATION', `param "${name}" has no finite grid: give it values, grid or step`);
      }
      this.axes.push({ name, values });
    }
    this.capacity = this.axes.reduce((product, axis) => product * axis.values.length, 1);
  }

  async sample({ index }: SampleContext): Promise<Sample> {
    checkIndex(index, this.capacity);
    const chosen: ParamValue[] = new Array<ParamValue>(this.axes.length);
    let rest = index;
    for (let k = this.axes.length - 1; k >= 0; k--) {
      const { values } = this.axes[k];
      chosen[k] = values[rest % values.length];
      rest = Math.floor(rest / values.length);
    }
    const params: Params = {};
    for (const [k, { name }] of this.axes.entries()) params[name] = chosen[k];
    return { params };
  }
}
