import type { ObjectiveSpec, ParamSpec, ParamSpecs } from './types.js';

/**
 * The steps of a full trial, when the space says: a task's epochs, or the largest value an
 * `epochs` param (which overrides the task setting) can take. Null for module objectives.
 */
export function maxResourceOf(objective: Pick<ObjectiveSpec, 'task'>, params: ParamSpecs): number | null {
  if (!objective.task) return null;
  const param = params['epochs'];
  const largest = param ? largestValue(param) : null;
  return largest ?? objective.task.train.epochs;
}

function largestValue(param: ParamSpec): number | null {
  const numbers = (values: readonly unknown[]) => values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  switch (param.type) {
    case 'fixed':
      return typeof param.value === 'number' ? param.value : null;
    case 'categorical': {
      const found = numbers(param.choices);
      return found.length > 0 ? Math.max(...found) : null;
    }
    default:
      return param.values ? Math.max(...param.values) : param.high;
  }
}
