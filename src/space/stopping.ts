/**
 * The space file's `early_stopping:`, `divergence:` and `pruner:` → checked, normalised specs.
 *
 * Their defaults depend on the objective: a built-in task reports known metrics once per epoch,
 * so what to watch and how many steps a full trial has are known; a module objective reports
 * whatever it likes, so some settings become required. Issues carry their key path like every
 * other validation issue (load.ts turns them into line numbers).
 */
import { HYPERBAND_DEFAULTS, PERCENTILE_DEFAULT, PERCENTILE_SETTINGS_DEFAULTS, SUCCESSIVE_HALVING_DEFAULTS, resolvePrunerType, PRUNER_ALIASES, PRUNER_TYPES, type PercentileSettings, type PrunerSpec } from './pruner-spec.js';
import type { DivergenceSpec, EarlyStoppingSpec } from './stopping-spec.js';
import { suggestion } from './did-you-mean.js';
import { fullTrialStepsWithSource } from './full-trial-steps.js';
import type { ObjectiveKind } from './objective-kind.js';
import { checkFields, checkVariant, describeValue, isMapping, showValue } from './schema.js';
import { type PathSegment, type RawIssue } from './raw-issue.js';
import {
  DIVERGENCE_FACTOR_DEFAULT,
  EARLY_STOPPING_DEFAULTS,
  PRUNER_SCHEMAS,
  divergenceSchema,
  earlyStoppingSchema,
} from './stopping-schema.js';
import type { ObjectiveSpec, ParamSpecs } from './types.js';

/** What the defaults and cross-checks need from the rest of the document. */
export interface StoppingContext {
  /** The checked objective; undefined when it has issues of its own (checks that need it are then skipped). */
  objective: ObjectiveSpec | undefined;
  /** The objective's kind (it gives the defaults); known from the document even when the objective has issues. */
  kind: ObjectiveKind | undefined;
  /** The checked params; undefined when they have issues of their own. */
  params: ParamSpecs | undefined;
}

export interface StoppingSettings {
  earlyStopping: EarlyStoppingSpec | null;
  divergence: DivergenceSpec | null;
  pruner: PrunerSpec;
}

/**
 * Checks the three keys of a space document. Undefined when something is wrong, either reported
 * here or (when a default depends on a broken objective or params) reported by their own checks.
 */
export function checkStopping(doc: Record<string, unknown>, context: StoppingContext, issues: RawIssue[]): StoppingSettings | undefined {
  const earlyStopping = checkEarlyStopping(doc.early_stopping, context, issues);
  const divergence = checkDivergence(doc.divergence, context, issues);
  const pruner = checkPruner(doc.pruner, context, issues);
  if (earlyStopping === undefined || divergence === undefined || pruner === undefined) return undefined;
  return { earlyStopping, divergence, pruner };
}

/**
 * Whether a better `monitor` is lower or higher, when that can be told: the objective's direction
 * when it is the objective's metric (so `neg_log_loss` maximised is right), else by its name.
 */
export function inferMode(monitor: string, objective: Pick<ObjectiveSpec, 'metric' | 'direction'>): 'min' | 'max' | undefined {
  if (monitor === objective.metric) return objective.direction === 'maximize' ? 'max' : 'min';
  if (/loss|error/i.test(monitor)) return 'min';
  if (/acc/i.test(monitor)) return 'max';
  return undefined;
}

// ---------------------------------------------------------------------------
// Per-trial rules

function checkMonitor(monitor: unknown, at: PathSegment[], context: StoppingContext, issues: RawIssue[]): void {
  const known = context.kind?.stepMetrics;
  if (known === undefined || typeof monitor !== 'string' || monitor === '') return;
  if (known.names.includes(monitor)) return;
  issues.push({
    path: at,
    message: `${known.reporter} reports ${known.names.join(', ')} ${known.when}; got ${JSON.stringify(monitor)}${suggestion(monitor, known.names)}`,
  });
}

function checkEarlyStopping(value: unknown, context: StoppingContext, issues: RawIssue[]): EarlyStoppingSpec | null | undefined {
  const at = ['early_stopping'];
  if (value === undefined) return null;
  if (!isMapping(value)) {
    issues.push({ path: at, message: `expected a mapping such as { monitor: val_loss, patience: 5 } ({} for the defaults), got ${describeValue(value)}` });
    return undefined;
  }
  const before = issues.length;
  checkFields(value, earlyStoppingSchema, at, issues);
  checkMonitor(value.monitor, [...at, 'monitor'], context, issues);
  if (issues.length > before) return undefined;
  const { objective } = context;
  const monitor = (value.monitor as string | undefined) ?? (context.kind?.earlyStoppingMonitor ?? objective?.metric);
  if (monitor === undefined || objective === undefined) return undefined; // the objective's own issues say why
  const mode = (value.mode as 'min' | 'max' | undefined) ?? inferMode(monitor, objective);
  if (mode === undefined) {
    issues.push({
      path: [...at, 'mode'],
      message: `required key is missing: cannot tell whether a better ${JSON.stringify(monitor)} is lower or higher; add mode: min or mode: max`,
    });
    return undefined;
  }
  const d = EARLY_STOPPING_DEFAULTS;
  return {
    monitor,
    mode,
    patience: (value.patience as number | undefined) ?? d.patience,
    minDelta: (value.min_delta as number | undefined) ?? d.minDelta,
    restoreBest: (value.restore_best as boolean | undefined) ?? d.restoreBest,
  };
}

function checkDivergence(value: unknown, context: StoppingContext, issues: RawIssue[]): DivergenceSpec | null | undefined {
  const at = ['divergence'];
  const defaultMonitor = context.kind?.divergenceMonitor;
  if (value === undefined) return defaultMonitor !== undefined ? { monitor: defaultMonitor, factor: DIVERGENCE_FACTOR_DEFAULT } : null;
  if (value === false) return null;
  if (!isMapping(value)) {
    issues.push({
      path: at,
      message: `expected false (no loss-explosion rule) or a mapping such as { monitor: ${defaultMonitor ?? 'train_loss'}, factor: ${DIVERGENCE_FACTOR_DEFAULT} }, got ${describeValue(value)}`,
    });
    return undefined;
  }
  const before = issues.length;
  checkFields(value, divergenceSchema, at, issues);
  checkMonitor(value.monitor, [...at, 'monitor'], context, issues);
  if (value.monitor === undefined && defaultMonitor === undefined && context.objective !== undefined) {
    issues.push({
      path: [...at, 'monitor'],
      message: 'required key is missing: name the loss the objective reports with report(step, { <name>: value }), e.g. monitor: loss',
    });
  }
  if (issues.length > before) return undefined;
  const monitor = (value.monitor as string | undefined) ?? defaultMonitor;
  if (monitor === undefined) return undefined; // the objective's own issues say why
  return { monitor, factor: (value.factor as number | undefined) ?? DIVERGENCE_FACTOR_DEFAULT };
}

// ---------------------------------------------------------------------------
// Pruner

const PRUNER_NAMES = [...PRUNER_TYPES, ...Object.keys(PRUNER_ALIASES)];
/** "none, median, …, successive_halving (alias asha), hyperband" */
const PRUNER_TYPE_LIST = PRUNER_TYPES.map((type) => {
  const aliases = Object.keys(PRUNER_ALIASES).filter((alias) => PRUNER_ALIASES[alias] === type);
  return aliases.length > 0 ? `${type} (alias ${aliases.join(', ')})` : type;
}).join(', ');

function checkPruner(value: unknown, context: StoppingContext, issues: RawIssue[]): PrunerSpec | undefined {
  const at = ['pruner'];
  if (value === undefined) return { type: 'none' };
  if (!isMapping(value)) {
    const hint = typeof value === 'string' ? `; write pruner: { type: ${value} }` : '';
    issues.push({ path: at, message: `expected a mapping such as { type: median }, got ${describeValue(value)}${hint}` });
    return undefined;
  }
  // The type is checked here rather than by checkVariant, whose did-you-mean and list know no aliases.
  const written = value.type;
  if (written === undefined) {
    issues.push({ path: [...at, 'type'], message: `required key is missing (one of ${PRUNER_TYPE_LIST})` });
    return undefined;
  }
  const type = typeof written === 'string' ? resolvePrunerType(written) : undefined;
  if (type === undefined) {
    const close = typeof written === 'string' ? suggestion(written, PRUNER_NAMES) : '';
    issues.push({ path: [...at, 'type'], message: `unknown pruner type ${showValue(written)}${close} (expected one of ${PRUNER_TYPE_LIST})` });
    return undefined;
  }
  const variant = checkVariant({ ...value, type }, 'type', PRUNER_SCHEMAS, at, issues, {
    unknown: 'unknown pruner type',
    usedBy: (key, types) => `"${key}" is only used by pruner type ${types.join(' or ')}`,
  });
  if (variant === undefined || !variant.ok) return undefined;
  switch (variant.kind) {
    case 'none':
      return { type: 'none' };
    case 'median':
      return { type: 'median', ...percentileSettings(value) };
    case 'percentile':
      return { type: 'percentile', percentile: (value.percentile as number | undefined) ?? PERCENTILE_DEFAULT, ...percentileSettings(value) };
    case 'successive_halving':
    case 'hyperband':
      return checkResources(variant.kind, value, context, issues);
  }
}

function percentileSettings(value: Record<string, unknown>): PercentileSettings {
  const d = PERCENTILE_SETTINGS_DEFAULTS;
  const int = (key: string, fallback: number) => (value[key] as number | undefined) ?? fallback;
  return {
    warmupSteps: int('warmup_steps', d.warmupSteps),
    startupTrials: int('startup_trials', d.startupTrials),
    minTrials: int('min_trials', d.minTrials),
    intervalSteps: int('interval_steps', d.intervalSteps),
  };
}

/** Successive halving and hyperband: their steps, with max_resource's default from the objective. */
function checkResources(
  type: 'successive_halving' | 'hyperband',
  value: Record<string, unknown>,
  context: StoppingContext,
  issues: RawIssue[],
): PrunerSpec | undefined {
  const at = ['pruner'];
  const defaults = type === 'hyperband' ? HYPERBAND_DEFAULTS : SUCCESSIVE_HALVING_DEFAULTS;
  const minResource = (value.min_resource as number | undefined) ?? defaults.minResource;
  const reductionFactor = (value.reduction_factor as number | undefined) ?? defaults.reductionFactor;
  let maxResource = value.max_resource as number | undefined;
  let source = '';
  if (maxResource === undefined) {
    const { objective, params } = context;
    if (objective === undefined || (context.kind?.fullTrialSteps !== undefined && params === undefined)) return undefined; // their own issues say why
    const full = params === undefined ? undefined : fullTrialStepsWithSource(objective, params);
    if (full !== undefined) {
      maxResource = full.steps;
      source = `, ${full.source}`;
    } else if (type === 'hyperband') {
      issues.push({
        path: [...at, 'max_resource'],
        message: 'required key is missing: hyperband needs the number of steps a full trial reports (the last step the objective passes to report()), e.g. max_resource: 100',
      });
      return undefined;
    }
  }
  if (maxResource !== undefined && minResource >= maxResource) {
    // Point at a key the user wrote: min_resource, unless only max_resource was written.
    const key = value.min_resource === undefined && value.max_resource !== undefined ? 'max_resource' : 'min_resource';
    issues.push({
      path: [...at, key],
      message: `min_resource (${minResource}) must be less than max_resource (${maxResource}${source}): a trial needs steps past the first rung to be pruned`,
    });
    return undefined;
  }
  if (type === 'hyperband') return { type, minResource, reductionFactor, maxResource: maxResource! };
  const sh = SUCCESSIVE_HALVING_DEFAULTS;
  return {
    type,
    minResource,
    reductionFactor,
    maxResource: maxResource ?? null,
    minEarlyStoppingRate: (value.min_early_stopping_rate as number | undefined) ?? sh.minEarlyStoppingRate,
    bootstrapCount: (value.bootstrap_count as number | undefined) ?? sh.bootstrapCount,
  };
}
