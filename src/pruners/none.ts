import type { PruneDecision, Pruner } from './pruner.js';

/** Never prunes (Optuna's NopPruner): the study runs every trial to its last step. */
export class NopPruner implements Pruner {
  readonly name = 'none';

  async decide(): Promise<PruneDecision> {
    return { prune: false };
  }
}
