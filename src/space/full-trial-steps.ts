import type { ObjectiveSpec, ParamSpecs } from './types.js';

// Its own small file: `hpsearch compare`'s command registration needs it, and the CLI must not
// load the space-file schemas (zod, about 45 ms) for commands that only read.

/**
 * The steps a full trial of a task reports: its epochs, or the largest value an `epochs` param
 * can take (params override task settings of their name). Null for other objectives, whose
 * steps the space does not know.
 */
export function fullTrialSteps(objective: Pick<ObjectiveSpec, 'task'>, params: ParamSpecs): number | null {
  return fullTrialStepsWithSource(objective, params)?.steps ?? null;
}

export function fullTrialStepsWithSource(objective: Pick<ObjectiveSpec, 'task'>, params: ParamSpecs): { steps: number; source: string } | undefined {
  if (objective.task === undefined) return undefined;
  const epochs = params['epochs'];
  const largest = epochs === undefined ? undefined : largestValue(epochs);
  if (largest !== undefined) return { steps: largest, source: 'the largest value of the epochs param' };
  return { steps: objective.task.train.epochs, source: "the task's epochs" };
}

function largestValue(spec: ParamSpecs[string]): number | undefined {
  const numbers = (values: readonly unknown[]) => values.filter((v): v is number => typeof v === 'number');
  let candidates: number[];
  switch (spec.type) {
    case 'fixed':
      candidates = numbers([spec.value]);
      break;
    case 'categorical':
      candidates = numbers(spec.choices);
      break;
    case 'int':
    case 'float':
      // Grid search visits `values`, the other strategies sample low..high: either may run.
      candidates = [spec.high, ...(spec.values ?? [])];
      break;
  }
  // Not Math.max(...candidates): spreading a long list overflows the stack.
  return candidates.length > 0 ? candidates.reduce((a, b) => Math.max(a, b)) : undefined;
}

