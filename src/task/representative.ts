/** A typical trial of a space, for what is decided before any trial runs (the backend, the pack size). */
import { decideParams } from '../space/conditions.js';
import type { Params, ParamSpec, ParamSpecs } from '../space/types.js';

/**
 * The model of a typical trial: the middle of each numeric range, the first choice (only the shape
 * matters here); a conditional param only where those values make it active, as in a real trial.
 */
export function representativeParams(params: ParamSpecs): Params {
  return decideParams(params, (_name, spec) => representative(spec));
}

function representative(spec: ParamSpec): Params[string] {
  switch (spec.type) {
    case 'fixed':
      return spec.value;
    case 'categorical':
      return spec.choices[0]!;
    case 'float':
    case 'int': {
      if (spec.values !== undefined && spec.values.length > 0) return spec.values[Math.floor(spec.values.length / 2)]!;
      const middle = spec.log ? Math.sqrt(spec.low * spec.high) : (spec.low + spec.high) / 2;
      return spec.type === 'int' ? Math.round(middle) : middle;
    }
  }
}

