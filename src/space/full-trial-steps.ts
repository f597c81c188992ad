import { kindOfObjective } from './objective-kind.js';
import type { ObjectiveSpec, ParamSpecs } from './types.js';

// Its own small file: `hpsearch compare`'s command registration needs it, and the CLI must not
// load the space-file schemas (zod, about 45 ms) for commands that only read.

/**
 * The steps a full trial reports, as its objective kind tells them (a task: its epochs, or the
 * largest value an `epochs` param can take). Null when the kind does not know, as for a module
 * objective, whose steps the space does not say.
 */
export function fullTrialSteps(objective: ObjectiveSpec, params: ParamSpecs): number | null {
  return fullTrialStepsWithSource(objective, params)?.steps ?? null;
}

export function fullTrialStepsWithSource(objective: ObjectiveSpec, params: ParamSpecs): { steps: number; source: string } | undefined {
  const found = kindOfObjective(objective);
  return found?.kind.fullTrialSteps?.(found.spec, params);
}
