import { HpsearchError } from '../errors.js';

/**
 * The attrs hpsearch itself writes, with their types: one declaration for the type that
 * readers (CLI, report, engine) use and for the check on write. Other keys are allowed too
 * (`study.tell` and `storage.finishTrial` take any attrs, `hpsearch copy` keeps what it finds),
 * as long as their values are strings, numbers or booleans.
 */
const KNOWN_ATTRS = {
  /** The TF.js backend the trial trained on: 'wasm', 'cpu', 'tensorflow'. */
  backend: 'string',
  /** Tensors still allocated after the trial ended (only when not 0). */
  tensors_leaked: 'number',
  /** The step with the best monitored value, when early stopping watched it. */
  best_step: 'number',
  /** The step at which early stopping, pruning or divergence ended the trial. */
  stopped_at: 'number',
  /** Why early stopping ended a complete trial. */
  stop_reason: 'string',
  /** The trials of the pack it trained in, itself included (only when packed with others). */
  pack_size: 'number',
} as const satisfies Record<string, 'string' | 'number' | 'boolean'>;

type TypeNamed<T> = T extends 'string' ? string : T extends 'number' ? number : boolean;

export type TrialAttrValue = string | number | boolean;

export type KnownTrialAttrs = { -readonly [K in keyof typeof KNOWN_ATTRS]?: TypeNamed<(typeof KNOWN_ATTRS)[K]> };

/** Facts about a trial that are not metrics: where and how it ran. */
export type TrialAttrs = KnownTrialAttrs & Record<string, TrialAttrValue>;

/**
 * Rejects attrs that give a known key the wrong type (or a non-finite number, which JSON
 * would store as null), naming the key. Other keys are stored as given, as they always were.
 */
export function checkTrialAttrs(attrs: Readonly<Record<string, unknown>>): void {
  for (const [key, expected] of Object.entries(KNOWN_ATTRS)) {
    if (!Object.hasOwn(attrs, key)) continue;
    const value = attrs[key];
    if (typeof value === expected && (typeof value !== 'number' || Number.isFinite(value))) continue;
    const found = typeof value === 'number' || value === null ? String(value) : `a ${typeof value}`;
    throw new HpsearchError('E_USAGE', `trial attr "${key}" is ${found}; hpsearch reads it as ${expected === 'number' ? 'a finite number' : `a ${expected}`}`);
  }
}
