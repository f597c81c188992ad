/**
 * The zod schemas of the space file's `early_stopping:`, `divergence:` and `pruner:` keys, with
 * the defaults that do not depend on the objective. `stopping.ts` checks them and fills in the
 * rest; `schema.ts` composes them into the whole file's schema.
 */
import * as z from 'zod';
import { HYPERBAND_DEFAULTS, PERCENTILE_DEFAULT, PERCENTILE_SETTINGS_DEFAULTS, SUCCESSIVE_HALVING_DEFAULTS } from './pruner-spec.js';
import type { PrunerType } from './pruner-spec.js';

/** `early_stopping:` defaults that do not depend on the objective (Keras' EarlyStopping, with patience 5). */
export const EARLY_STOPPING_DEFAULTS = { patience: 5, minDelta: 0, restoreBest: false } as const;
/** The loss-explosion rule's factor unless told otherwise (cs231n's 3 × the first step's loss). */
export const DIVERGENCE_FACTOR_DEFAULT = 3;

export const earlyStoppingSchema = z.strictObject({
  monitor: z
    .string()
    .min(1)
    .optional()
    .describe(
      "Metric watched, by the name it is reported under. Default: val_loss for a task (one of train_loss, train_accuracy, val_loss, val_accuracy, learning_rate), else the objective's metric.",
    ),
  mode: z
    .enum(['min', 'max'])
    .optional()
    .describe(
      "Whether the monitored metric improves by going down (min) or up (max). Default: from the objective's direction when monitor is its metric, else min for names with \"loss\" or \"error\" and max for names with \"acc\"; otherwise required.",
    ),
  patience: z.int().min(1).optional().describe(`Steps without an improvement before the trial stops. Default ${EARLY_STOPPING_DEFAULTS.patience}.`),
  min_delta: z.number().min(0).optional().describe(`Smallest change that counts as an improvement. Default ${EARLY_STOPPING_DEFAULTS.minDelta}.`),
  restore_best: z
    .boolean()
    .optional()
    .describe(`true: the trial's value is taken at the monitored metric's best step rather than the last one. Default ${EARLY_STOPPING_DEFAULTS.restoreBest}.`),
});

export const divergenceSchema = z.strictObject({
  monitor: z
    .string()
    .min(1)
    .optional()
    .describe(`Loss watched, by the name it is reported under. Default train_loss for a task; required for a module objective.`),
  factor: z
    .number()
    .gt(1)
    .optional()
    .describe(`Prune once the monitored loss exceeds factor × its value at the first reported step. Default ${DIVERGENCE_FACTOR_DEFAULT}.`),
});

const P = PERCENTILE_SETTINGS_DEFAULTS;
const percentileFields = {
  warmup_steps: z.int().min(0).optional().describe(`Steps before which a trial is never pruned. Default ${P.warmupSteps}.`),
  startup_trials: z.int().min(0).optional().describe(`Complete trials the study needs before anything is pruned. Default ${P.startupTrials}.`),
  min_trials: z.int().min(1).optional().describe(`Trials with a value at the step needed to compare against. Default ${P.minTrials}.`),
  interval_steps: z.int().min(1).optional().describe(`Decide only every this many steps after the warm-up. Default ${P.intervalSteps}.`),
};

const MAX_RESOURCE_DOC = "Steps of a full trial. Default for a task: its epochs (the largest value of an epochs param, which overrides them)";
const resourceFields = (defaults: { minResource: number; reductionFactor: number }) => ({
  min_resource: z.int().min(1).optional().describe(`Steps of the first rung; less than max_resource. Default ${defaults.minResource}.`),
  reduction_factor: z.int().min(2).optional().describe(`η: about 1/η of the trials at a rung go on to the next. Default ${defaults.reductionFactor}.`),
});

export const PRUNER_SCHEMAS = {
  none: z.strictObject({ type: z.literal('none') }),
  median: z.strictObject({ type: z.literal('median'), ...percentileFields }),
  percentile: z.strictObject({
    type: z.literal('percentile'),
    percentile: z
      .number()
      .gt(0)
      .lt(100)
      .optional()
      .describe(`A trial is pruned unless it is among the best \`percentile\` % of the trials at the same step (median: 50). Default ${PERCENTILE_DEFAULT}.`),
    ...percentileFields,
  }),
  successive_halving: z.strictObject({
    type: z.enum(['successive_halving', 'asha']).describe('asha (asynchronous successive halving) is another name for successive_halving.'),
    ...resourceFields(SUCCESSIVE_HALVING_DEFAULTS),
    max_resource: z.int().min(1).optional().describe(`${MAX_RESOURCE_DOC}; for a module objective, no limit.`),
    min_early_stopping_rate: z
      .int()
      .min(0)
      .optional()
      .describe(`s: the first rung is at min_resource × η^s. Default ${SUCCESSIVE_HALVING_DEFAULTS.minEarlyStoppingRate}.`),
    bootstrap_count: z
      .int()
      .min(0)
      .optional()
      .describe(`Trials a rung needs before it promotes any. Default ${SUCCESSIVE_HALVING_DEFAULTS.bootstrapCount}.`),
  }),
  hyperband: z.strictObject({
    type: z.literal('hyperband'),
    ...resourceFields(HYPERBAND_DEFAULTS),
    max_resource: z.int().min(1).optional().describe(`${MAX_RESOURCE_DOC}; required for a module objective.`),
  }),
} as const satisfies Record<PrunerType, z.ZodObject>;

