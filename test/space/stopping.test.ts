import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { HYPERBAND_DEFAULTS, PERCENTILE_SETTINGS_DEFAULTS, SUCCESSIVE_HALVING_DEFAULTS } from '../../src/space/pruner-spec.js';
import { parseSpace, validateSpaceDocument } from '../../src/space/load.js';
import { fullTrialSteps } from '../../src/space/full-trial-steps.js';
import { inferMode } from '../../src/space/stopping.js';
import type { SearchSpace } from '../../src/space/types.js';
import { baseDoc, issueAt, issuesOf, SPACES_DIR } from './helpers.js';

/** A valid document with a task objective (10 epochs unless `epochs` says otherwise). */
function taskDoc(extra: Record<string, unknown> = {}, options: { epochs?: number; params?: Record<string, unknown> } = {}): Record<string, any> {
  const train = options.epochs === undefined ? {} : { train: { epochs: options.epochs } };
  return {
    study: 'task',
    seed: 1,
    objective: { direction: 'maximize', task: { dataset: { name: 'mnist' }, ...train } },
    search: { strategy: 'random', trials: 4 },
    params: { learning_rate: { type: 'float', low: 1e-4, high: 1e-1, log: true }, ...options.params },
    ...extra,
  };
}

/** The noop module objective (metric `value`, maximize) plus `extra` top-level keys. */
function moduleDoc(extra: Record<string, unknown> = {}): Record<string, any> {
  return { ...baseDoc(), ...extra };
}

function spaceOf(doc: object): SearchSpace {
  return parseSpace(stringify(doc), 'space.yaml', SPACES_DIR).space;
}

function messageAt(doc: object, path: string): string {
  return issueAt(issuesOf(doc), path).message;
}

describe('defaults', () => {
  it('gives a task objective the divergence rule and nothing else', () => {
    const space = spaceOf(taskDoc());
    expect(space.earlyStopping).toBeNull();
    expect(space.divergence).toEqual({ monitor: 'train_loss', factor: 3 });
    expect(space.pruner).toEqual({ type: 'none' });
  });

  it('gives a module objective no rules at all', () => {
    const space = spaceOf(moduleDoc());
    expect(space.earlyStopping).toBeNull();
    expect(space.divergence).toBeNull();
    expect(space.pruner).toEqual({ type: 'none' });
  });

  it('fills early stopping defaults from the objective', () => {
    expect(spaceOf(taskDoc({ early_stopping: {} })).earlyStopping).toEqual({
      monitor: 'val_loss',
      mode: 'min',
      patience: 5,
      minDelta: 0,
      restoreBest: false,
    });
    // A module objective watches its own metric, improving in the objective's direction.
    expect(spaceOf(moduleDoc({ early_stopping: {} })).earlyStopping).toEqual({
      monitor: 'value',
      mode: 'max',
      patience: 5,
      minDelta: 0,
      restoreBest: false,
    });
  });

  it('gives documents stored before these keys existed the defaults', () => {
    const doc = taskDoc();
    doc.objective.task.dataset = { type: 'idx', images: '/gone/images.idx', labels: '/gone/labels.idx' };
    const space = validateSpaceDocument(doc, 'stored', SPACES_DIR, { requireObjective: false, checkFiles: false });
    expect(space.divergence).toEqual({ monitor: 'train_loss', factor: 3 });
    expect(space.pruner).toEqual({ type: 'none' });
    const inCode = { study: 'code', seed: 1, objective: { metric: 'value', direction: 'minimize' }, search: { strategy: 'random', trials: 3 }, params: {} };
    const stored = validateSpaceDocument(inCode, 'stored', SPACES_DIR, { requireObjective: false, checkFiles: false });
    expect([stored.earlyStopping, stored.divergence, stored.pruner]).toEqual([null, null, { type: 'none' }]);
  });
});

describe('early_stopping', () => {
  it('keeps explicit values', () => {
    const doc = taskDoc({ early_stopping: { monitor: 'val_accuracy', mode: 'min', patience: 2, min_delta: 0.01, restore_best: true } });
    expect(spaceOf(doc).earlyStopping).toEqual({ monitor: 'val_accuracy', mode: 'min', patience: 2, minDelta: 0.01, restoreBest: true });
  });

  it('infers the mode from the name', () => {
    expect(spaceOf(taskDoc({ early_stopping: { monitor: 'train_loss' } })).earlyStopping?.mode).toBe('min');
    expect(spaceOf(taskDoc({ early_stopping: { monitor: 'train_accuracy' } })).earlyStopping?.mode).toBe('max');
    expect(spaceOf(moduleDoc({ early_stopping: { monitor: 'test_error' } })).earlyStopping?.mode).toBe('min');
    expect(spaceOf(moduleDoc({ early_stopping: { monitor: 'top1_acc' } })).earlyStopping?.mode).toBe('max');
  });

  it("takes the objective's direction for its own metric, whatever the name says", () => {
    expect(inferMode('neg_log_loss', { metric: 'neg_log_loss', direction: 'maximize' })).toBe('max');
    expect(inferMode('val_loss', { metric: 'value', direction: 'maximize' })).toBe('min');
    expect(inferMode('score', { metric: 'value', direction: 'maximize' })).toBeUndefined();
    const doc = moduleDoc({ early_stopping: { monitor: 'score' } });
    doc.objective.metric = 'score';
    doc.objective.direction = 'minimize';
    expect(spaceOf(doc).earlyStopping?.mode).toBe('min');
  });

  it('asks for the mode when it cannot be told', () => {
    expect(messageAt(moduleDoc({ early_stopping: { monitor: 'score' } }), 'early_stopping.mode')).toBe(
      'required key is missing: cannot tell whether a better "score" is lower or higher; add mode: min or mode: max',
    );
    expect(spaceOf(moduleDoc({ early_stopping: { monitor: 'score', mode: 'max' } })).earlyStopping?.mode).toBe('max');
  });

  it("checks a task's monitor against the metrics it reports", () => {
    expect(messageAt(taskDoc({ early_stopping: { monitor: 'val_los' } }), 'early_stopping.monitor')).toBe(
      'a built-in task reports train_loss, train_accuracy, val_loss, val_accuracy, learning_rate each epoch; got "val_los"; did you mean "val_loss"?',
    );
    expect(spaceOf(taskDoc({ early_stopping: { monitor: 'learning_rate', mode: 'min' } })).earlyStopping?.monitor).toBe('learning_rate');
    // A module objective reports what it likes.
    expect(spaceOf(moduleDoc({ early_stopping: { monitor: 'val_los', mode: 'min' } })).earlyStopping?.monitor).toBe('val_los');
  });

  it('rejects values out of range and unknown keys', () => {
    const issues = issuesOf(taskDoc({ early_stopping: { patience: 0, min_delta: -1, mode: 'lowest', monitor: '', restore: true } }));
    expect(issueAt(issues, 'early_stopping.patience').message).toBe('must be >= 1, got 0');
    expect(issueAt(issues, 'early_stopping.min_delta').message).toBe('must be >= 0, got -1');
    expect(issueAt(issues, 'early_stopping.mode').message).toBe('expected one of "min", "max", got string "lowest"');
    expect(issueAt(issues, 'early_stopping.monitor').message).toBe('must not be empty');
    expect(issueAt(issues, 'early_stopping.restore').message).toBe('unknown key; did you mean "restore_best"?');
    expect(issueAt(issuesOf(taskDoc({ early_stopping: { patience: 2.5 } })), 'early_stopping.patience').message).toBe('expected an integer, got number 2.5');
  });

  it('needs a mapping', () => {
    expect(messageAt(taskDoc({ early_stopping: true }), 'early_stopping')).toBe(
      'expected a mapping such as { monitor: val_loss, patience: 5 } ({} for the defaults), got boolean true',
    );
  });

  it('reports with the line of the key', () => {
    const text = `${stringify(taskDoc())}early_stopping:\n  patience: 0\n`;
    const issue = issueAt(issuesOf(text), 'early_stopping.patience');
    expect(issue.line).toBe(text.split('\n').indexOf('  patience: 0') + 1);
  });
});

describe('divergence', () => {
  it('can be turned off', () => {
    expect(spaceOf(taskDoc({ divergence: false })).divergence).toBeNull();
    expect(spaceOf(moduleDoc({ divergence: false })).divergence).toBeNull();
  });

  it('fills the task defaults around explicit values', () => {
    expect(spaceOf(taskDoc({ divergence: { factor: 10 } })).divergence).toEqual({ monitor: 'train_loss', factor: 10 });
    expect(spaceOf(taskDoc({ divergence: { monitor: 'val_loss' } })).divergence).toEqual({ monitor: 'val_loss', factor: 3 });
    expect(spaceOf(moduleDoc({ divergence: { monitor: 'loss', factor: 5 } })).divergence).toEqual({ monitor: 'loss', factor: 5 });
  });

  it('needs the monitor of a module objective', () => {
    expect(messageAt(moduleDoc({ divergence: { factor: 5 } }), 'divergence.monitor')).toBe(
      'required key is missing: name the loss the objective reports with report(step, { <name>: value }), e.g. monitor: loss',
    );
  });

  it('checks the monitor and the factor', () => {
    const issues = issuesOf(taskDoc({ divergence: { monitor: 'train_los', factor: 1 } }));
    expect(issueAt(issues, 'divergence.monitor').message).toMatch(/got "train_los"; did you mean "train_loss"\?$/);
    expect(issueAt(issues, 'divergence.factor').message).toBe('must be > 1, got 1');
    expect(messageAt(taskDoc({ divergence: { monitr: 'train_loss' } }), 'divergence.monitr')).toBe('unknown key; did you mean "monitor"?');
  });

  it('is false or a mapping', () => {
    expect(messageAt(taskDoc({ divergence: true }), 'divergence')).toBe(
      'expected false (no loss-explosion rule) or a mapping such as { monitor: train_loss, factor: 3 }, got boolean true',
    );
  });
});

describe('pruner types', () => {
  it('fills the median and percentile defaults', () => {
    expect(spaceOf(taskDoc({ pruner: { type: 'median' } })).pruner).toEqual({ type: 'median', ...PERCENTILE_SETTINGS_DEFAULTS });
    expect(spaceOf(taskDoc({ pruner: { type: 'percentile' } })).pruner).toEqual({
      type: 'percentile',
      percentile: 25,
      warmupSteps: 0,
      startupTrials: 5,
      minTrials: 1,
      intervalSteps: 1,
    });
  });

  it('keeps explicit median and percentile settings', () => {
    const settings = { warmup_steps: 3, startup_trials: 0, min_trials: 4, interval_steps: 2 };
    const normalised = { warmupSteps: 3, startupTrials: 0, minTrials: 4, intervalSteps: 2 };
    expect(spaceOf(taskDoc({ pruner: { type: 'median', ...settings } })).pruner).toEqual({ type: 'median', ...normalised });
    expect(spaceOf(moduleDoc({ pruner: { type: 'percentile', percentile: 10.5, ...settings } })).pruner).toEqual({
      type: 'percentile',
      percentile: 10.5,
      ...normalised,
    });
  });

  it('fills successive halving defaults, up to the task epochs', () => {
    expect(spaceOf(taskDoc({ pruner: { type: 'successive_halving' } })).pruner).toEqual({
      type: 'successive_halving',
      minResource: 1,
      reductionFactor: 3,
      maxResource: 10,
      minEarlyStoppingRate: 0,
      bootstrapCount: 0,
    });
    expect(spaceOf(taskDoc({ pruner: { type: 'successive_halving' } }, { epochs: 27 })).pruner).toMatchObject({ maxResource: 27 });
    // A module objective's trials have no known length: no last rung.
    expect(spaceOf(moduleDoc({ pruner: { type: 'successive_halving' } })).pruner).toEqual({
      type: 'successive_halving',
      ...SUCCESSIVE_HALVING_DEFAULTS,
      maxResource: null,
    });
  });

  it('accepts asha for successive halving', () => {
    const explicit = { min_resource: 2, reduction_factor: 4, max_resource: 64, min_early_stopping_rate: 1, bootstrap_count: 3 };
    expect(spaceOf(moduleDoc({ pruner: { type: 'asha', ...explicit } })).pruner).toEqual({
      type: 'successive_halving',
      minResource: 2,
      reductionFactor: 4,
      maxResource: 64,
      minEarlyStoppingRate: 1,
      bootstrapCount: 3,
    });
  });

  it('fills hyperband defaults, and keeps explicit values', () => {
    expect(spaceOf(taskDoc({ pruner: { type: 'hyperband' } }, { epochs: 81 })).pruner).toEqual({
      type: 'hyperband',
      ...HYPERBAND_DEFAULTS,
      maxResource: 81,
    });
    const pruner = { type: 'hyperband', min_resource: 3, reduction_factor: 2, max_resource: 100 };
    expect(spaceOf(moduleDoc({ pruner })).pruner).toEqual({ type: 'hyperband', minResource: 3, reductionFactor: 2, maxResource: 100 });
  });

  it('accepts type none', () => {
    expect(spaceOf(taskDoc({ pruner: { type: 'none' } })).pruner).toEqual({ type: 'none' });
  });
});

describe('max_resource from an epochs param', () => {
  const sh = (params: Record<string, unknown>, search?: Record<string, unknown>) =>
    spaceOf(taskDoc({ pruner: { type: 'asha' }, ...(search ? { search } : {}) }, { params })).pruner;

  it('takes the largest value the param can take', () => {
    expect(sh({ epochs: { type: 'int', low: 5, high: 40 } })).toMatchObject({ maxResource: 40 });
    expect(sh({ epochs: { type: 'categorical', choices: [20, 60, 10] } })).toMatchObject({ maxResource: 60 });
    expect(sh({ epochs: 30 })).toMatchObject({ maxResource: 30 });
    expect(sh({ epochs: { type: 'fixed', value: 12 } })).toMatchObject({ maxResource: 12 });
    expect(sh({ learning_rate: 0.01, epochs: { type: 'int', values: [4, 16, 8] } }, { strategy: 'grid' })).toMatchObject({ maxResource: 16 });
    // Grid search visits the values even when they pass high.
    const both = { type: 'int', low: 2, high: 8, values: [4, 16] };
    expect(sh({ learning_rate: 0.01, epochs: both }, { strategy: 'grid' })).toMatchObject({ maxResource: 16 });
  });

  it('is what fullTrialSteps says', () => {
    const space = spaceOf(taskDoc({}, { epochs: 7, params: { epochs: { type: 'int', low: 2, high: 50 } } }));
    expect(fullTrialSteps(space.objective, space.params)).toBe(50);
    expect(fullTrialSteps(space.objective, {})).toBe(7);
    expect(fullTrialSteps(spaceOf(moduleDoc()).objective, {})).toBeNull();
  });

  it('counts the task\'s epochs too when the epochs param is conditional: trials without it train that many', () => {
    const params = (epochs: Record<string, unknown>) => ({ layers: { type: 'int', low: 1, high: 4 }, epochs: { ...epochs, when: { layers: { min: 3 } } } });
    const longer = spaceOf(taskDoc({}, { epochs: 60, params: params({ type: 'int', low: 2, high: 50 }) }));
    expect(fullTrialSteps(longer.objective, longer.params)).toBe(60);
    const shorter = spaceOf(taskDoc({}, { epochs: 7, params: params({ type: 'int', low: 2, high: 50 }) }));
    expect(fullTrialSteps(shorter.objective, shorter.params)).toBe(50);
    // The source is named where max_resource is too small.
    const issues = issuesOf(taskDoc({ pruner: { type: 'successive_halving', min_resource: 60 } }, { epochs: 60, params: params({ type: 'int', low: 2, high: 50 }) }));
    expect(issueAt(issues, 'pruner.min_resource').message).toBe(
      "min_resource (60) must be less than max_resource (60, the task's epochs, which trials without the epochs param train): a trial needs steps past the first rung to be pruned",
    );
  });

  it('takes the largest of a long list of choices or values', () => {
    const { objective } = spaceOf(taskDoc());
    const epochs = Array.from({ length: 200_000 }, (_, i) => i + 1);
    expect(fullTrialSteps(objective, { epochs: { type: 'categorical', choices: epochs } })).toBe(200_000);
    expect(fullTrialSteps(objective, { epochs: { type: 'int', low: 1, high: 2, log: false, step: 1, values: epochs } })).toBe(200_000);
  });
});

describe('pruner checks', () => {
  it('requires hyperband max_resource for a module objective', () => {
    const issues = issuesOf(moduleDoc({ pruner: { type: 'hyperband' } }));
    expect(issues).toHaveLength(1);
    expect(issueAt(issues, 'pruner.max_resource').message).toBe(
      'required key is missing: hyperband needs the number of steps a full trial reports (the last step the objective passes to report()), e.g. max_resource: 100',
    );
  });

  it('needs min_resource below max_resource', () => {
    expect(messageAt(moduleDoc({ pruner: { type: 'hyperband', min_resource: 9, max_resource: 9 } }), 'pruner.min_resource')).toBe(
      'min_resource (9) must be less than max_resource (9): a trial needs steps past the first rung to be pruned',
    );
    expect(messageAt(taskDoc({ pruner: { type: 'asha', min_resource: 12 } }), 'pruner.min_resource')).toBe(
      "min_resource (12) must be less than max_resource (10, the task's epochs): a trial needs steps past the first rung to be pruned",
    );
    const withParam = taskDoc({ pruner: { type: 'hyperband', min_resource: 20 } }, { params: { epochs: { type: 'int', low: 5, high: 20 } } });
    expect(messageAt(withParam, 'pruner.min_resource')).toMatch(/\(20, the largest value of the epochs param\)/);
    expect(messageAt(taskDoc({ pruner: { type: 'hyperband', max_resource: 1 } }), 'pruner.max_resource')).toMatch(/^min_resource \(1\) must be less/);
  });

  it('suggests a pruner type, listing the types and the alias', () => {
    expect(messageAt(taskDoc({ pruner: { type: 'hyperbnd' } }), 'pruner.type')).toBe(
      'unknown pruner type "hyperbnd"; did you mean "hyperband"? (expected one of none, median, percentile, successive_halving (alias asha), hyperband)',
    );
    expect(messageAt(taskDoc({ pruner: { type: 'ahsa' } }), 'pruner.type')).toMatch(/did you mean "asha"\?/);
    expect(messageAt(taskDoc({ pruner: { type: 3 } }), 'pruner.type')).toBe(
      'unknown pruner type 3 (expected one of none, median, percentile, successive_halving (alias asha), hyperband)',
    );
    // Not an alias, though PRUNER_ALIASES.constructor is defined (it is Object's).
    expect(messageAt(taskDoc({ pruner: { type: 'constructor' } }), 'pruner.type')).toBe(
      'unknown pruner type "constructor" (expected one of none, median, percentile, successive_halving (alias asha), hyperband)',
    );
    expect(messageAt(taskDoc({ pruner: { warmup_steps: 2 } }), 'pruner.type')).toBe(
      'required key is missing (one of none, median, percentile, successive_halving (alias asha), hyperband)',
    );
  });

  it('suggests keys and explains keys of other types', () => {
    expect(messageAt(taskDoc({ pruner: { type: 'median', warmup_step: 2 } }), 'pruner.warmup_step')).toBe('unknown key; did you mean "warmup_steps"?');
    expect(messageAt(taskDoc({ pruner: { type: 'median', reduction_factor: 2 } }), 'pruner.reduction_factor')).toBe(
      'unknown key; "reduction_factor" is only used by pruner type successive_halving or hyperband; known keys here: type, warmup_steps, startup_trials, min_trials, interval_steps',
    );
    expect(messageAt(taskDoc({ pruner: { type: 'asha', bootstrap_count: 1, percentile: 10 } }), 'pruner.percentile')).toBe(
      'unknown key; "percentile" is only used by pruner type percentile; known keys here: type, min_resource, reduction_factor, max_resource, min_early_stopping_rate, bootstrap_count',
    );
    expect(messageAt(taskDoc({ pruner: { type: 'hyperband', bootstrap_count: 1 } }), 'pruner.bootstrap_count')).toMatch(
      /"bootstrap_count" is only used by pruner type successive_halving;/,
    );
  });

  it('rejects values out of range', () => {
    const issues = issuesOf(
      taskDoc({ pruner: { type: 'asha', min_resource: 0, reduction_factor: 1, max_resource: 2.5, min_early_stopping_rate: -1, bootstrap_count: '2' } }),
    );
    expect(issueAt(issues, 'pruner.min_resource').message).toBe('must be >= 1, got 0');
    expect(issueAt(issues, 'pruner.reduction_factor').message).toBe('must be >= 2, got 1');
    expect(issueAt(issues, 'pruner.max_resource').message).toBe('expected an integer, got number 2.5');
    expect(issueAt(issues, 'pruner.min_early_stopping_rate').message).toBe('must be >= 0, got -1');
    expect(issueAt(issues, 'pruner.bootstrap_count').message).toBe('expected a number, got string "2" (remove the quotes)');
    const percentile = issuesOf(taskDoc({ pruner: { type: 'percentile', percentile: 100, min_trials: 0, interval_steps: 0, warmup_steps: -2 } }));
    expect(issueAt(percentile, 'pruner.percentile').message).toBe('must be < 100, got 100');
    expect(issueAt(percentile, 'pruner.min_trials').message).toBe('must be >= 1, got 0');
    expect(issueAt(percentile, 'pruner.interval_steps').message).toBe('must be >= 1, got 0');
    expect(issueAt(percentile, 'pruner.warmup_steps').message).toBe('must be >= 0, got -2');
    expect(messageAt(taskDoc({ pruner: { type: 'percentile', percentile: 0 } }), 'pruner.percentile')).toBe('must be > 0, got 0');
  });

  it('needs a mapping', () => {
    expect(messageAt(taskDoc({ pruner: 'median' }), 'pruner')).toBe(
      'expected a mapping such as { type: median }, got string "median"; write pruner: { type: median }',
    );
  });

  it('reports every section in one run', () => {
    const issues = issuesOf(taskDoc({ early_stopping: { patience: 0 }, divergence: { factor: 0.5 }, pruner: { type: 'hyperbnd' } }));
    expect(issues.map((i) => i.path)).toEqual(['early_stopping.patience', 'divergence.factor', 'pruner.type']);
  });

  it('validates documents built in code the same way', () => {
    const doc = { study: 'code', seed: 1, objective: { metric: 'loss', direction: 'minimize' }, search: { strategy: 'random', trials: 3 }, params: {}, pruner: { type: 'hyperband' } };
    expect(() => validateSpaceDocument(doc, 'code', SPACES_DIR, { requireObjective: false })).toThrow(ValidationError);
    const space = validateSpaceDocument({ ...doc, pruner: { type: 'hyperband', max_resource: 27 }, early_stopping: {} }, 'code', SPACES_DIR, {
      requireObjective: false,
    });
    expect(space.pruner).toEqual({ type: 'hyperband', minResource: 1, reductionFactor: 3, maxResource: 27 });
    expect(space.earlyStopping).toMatchObject({ monitor: 'loss', mode: 'min' });
  });
});
