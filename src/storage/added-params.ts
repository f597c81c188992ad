import { HpsearchError } from '../errors.js';
import { showParamValue } from '../space/asked-spec.js';
import type { Params, ParamValue } from '../space/types.js';

/**
 * A running trial's params with `added` after them (Storage.addTrialParams), or null when it has
 * every one of them already. E_USAGE when one it has comes with another value: a trial's params
 * never change while it runs.
 */
export function withAddedParams(number: number, held: Params, added: Params): Params | null {
  const fresh: Params = {};
  let any = false;
  for (const [name, value] of Object.entries(added)) {
    if (!Object.hasOwn(held, name)) {
      // defineProperty, not `=`: a param named __proto__ must stay a param.
      Object.defineProperty(fresh, name, { value, enumerable: true, writable: true, configurable: true });
      any = true;
    } else if (!sameValue(held[name], value)) {
      throw new HpsearchError(
        'E_USAGE',
        `trial ${number} has param "${name}" = ${showParamValue(held[name])} already, and cannot be given ${showParamValue(value)}: a trial's params never change while it runs`,
      );
    }
  }
  return any ? { ...held, ...fresh } : null;
}

function sameValue(a: ParamValue, b: ParamValue): boolean {
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}
