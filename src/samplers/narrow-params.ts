import type { NumericParam, ParamSpec, ParamSpecs, Params, ParamValue } from '../space/types.js';

/**
 * Coarse-to-fine narrowing ("Deep Learning from Scratch" ch. 6, cs231n): shrink each range to
 * where the best trials landed, plus a margin, and search again there. Shared by the narrowing
 * sampler and the `hpsearch narrow` command. Pure; the result keeps the params' order.
 *
 * For each param of `params`, the values seen are those of the `top` entries that have it
 * (entries lacking it are skipped; non-finite numbers, and non-positive ones for log params,
 * are skipped too). With no value seen — `top` empty included — the spec is kept as is.
 *
 * - fixed: kept.
 * - categorical: `choices` shrink to those seen, in their original order.
 * - float / int: let t = log10 for log params, identity otherwise, and clamp the seen values to
 *   [low, high]. The new range is [t(min) - w, t(max) + w] mapped back through t⁻¹, where
 *   w = margin × (t(max) - t(min)), or margin × (t(high) - t(low)) when the seen values span 0
 *   — so the range only collapses to a point when margin is 0. It always contains the seen
 *   values and is clamped to the old [low, high].
 *   Ints, and floats with a `step`, are then rounded outward onto the lattice low + k × step of
 *   the old range (so narrowed draws hit the same points as before; for ints that also means
 *   integers); `high` stays at most the old `high`. An int may end with low == high; a float
 *   that does becomes `{ type: 'fixed', value: low }`.
 *   `values` is filtered to the new range (dropped when none remain); `grid` is kept, so it
 *   places its N points over the new range.
 */
export function narrowParams(params: ParamSpecs, top: readonly Params[], margin: number): ParamSpecs {
  const narrowed: ParamSpecs = {};
  for (const [name, spec] of Object.entries(params)) {
    const seen = top.filter((entry) => Object.hasOwn(entry, name)).map((entry) => entry[name]);
    narrowed[name] = narrowParam(spec, seen, margin);
  }
  return narrowed;
}

function narrowParam(spec: ParamSpec, seen: ParamValue[], margin: number): ParamSpec {
  switch (spec.type) {
    case 'fixed':
      return spec;
    case 'categorical': {
      const choices = spec.choices.filter((choice) => seen.includes(choice));
      return choices.length > 0 ? { ...spec, choices } : spec;
    }
    case 'float':
    case 'int':
      return narrowNumeric(spec, seen, margin);
  }
}

function narrowNumeric(spec: NumericParam, seen: ParamValue[], margin: number): ParamSpec {
  const xs = seen
    .filter((v): v is number => typeof v === 'number' && Number.isFinite(v) && (!spec.log || v > 0))
    .map((v) => Math.min(Math.max(v, spec.low), spec.high));
  if (xs.length === 0) return spec;

  const t = (x: number): number => (spec.log ? Math.log10(x) : x);
  const untransform = (y: number): number => (spec.log ? 10 ** y : y);
  const min = xs.reduce((a, b) => Math.min(a, b));
  const max = xs.reduce((a, b) => Math.max(a, b));
  const span = t(max) - t(min);
  const widen = margin * (span > 0 ? span : t(spec.high) - t(spec.low));
  // min/max with the seen values guards against log10/10** round-off excluding them.
  let low = Math.max(spec.low, Math.min(min, tidy(untransform(t(min) - widen))));
  let high = Math.min(spec.high, Math.max(max, tidy(untransform(t(max) + widen))));

  const step = spec.step;
  if (step !== undefined) {
    low = tidy(spec.low + Math.floor((low - spec.low) / step + 1e-9) * step);
    high = Math.min(spec.high, tidy(spec.low + Math.ceil((high - spec.low) / step - 1e-9) * step));
  }
  if (spec.type === 'float' && low === high) return { type: 'fixed', value: low, ...(spec.when !== undefined ? { when: spec.when } : {}) };

  const result = { ...spec, low, high };
  if (result.values !== undefined) {
    const values = result.values.filter((v) => v >= low && v <= high);
    if (values.length > 0) result.values = values;
    else delete result.values;
  }
  return result;
}

/** Keeps printed ranges readable (1e-4 rather than 0.00009999999999999999). */
function tidy(x: number): number {
  return Number(x.toPrecision(12));
}
