/**
 * The loader's checks of `when:` (see conditions.ts for what it means): its shape, param by
 * param, then what only the whole space can tell: that each parent exists, can take the values
 * named, is numeric where a range is given, and that no param depends on itself through others.
 */
import { formatNumber } from '../format/numbers.js';
import { gridValues } from './distributions.js';
import { suggestion } from './did-you-mean.js';
import type { PathSegment, RawIssue } from './raw-issue.js';
import { checkValue, describeValue, isMapping, scalarSchema, showValue } from './schema.js';
import type { ConditionClause, ParamConditions, ParamSpec, ParamSpecs, ParamValue } from './types.js';

const WHEN_EXAMPLE = 'e.g. when: { optimizer: [momentum, nesterov] } or when: { layers: { min: 3 } }';

/** The shape of one param's `when:`; undefined after reporting a problem. */
export function checkWhen(value: unknown, at: PathSegment[], issues: RawIssue[]): ParamConditions | undefined {
  const path = [...at, 'when'];
  if (!isMapping(value)) {
    issues.push({ path, message: `expected a mapping of parent param to the values it must take, ${WHEN_EXAMPLE}; got ${describeValue(value)}` });
    return undefined;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) {
    issues.push({ path, message: `names no parent param; remove when: or name one, ${WHEN_EXAMPLE}` });
    return undefined;
  }
  const before = issues.length;
  const when: Record<string, ConditionClause> = {};
  for (const [parent, clause] of entries) {
    const checked = checkClause(clause, [...path, parent], issues);
    if (checked !== undefined) when[parent] = checked;
  }
  return issues.length === before ? when : undefined;
}

function checkClause(value: unknown, path: PathSegment[], issues: RawIssue[]): ConditionClause | undefined {
  if (Array.isArray(value)) {
    if (value.length === 0) {
      issues.push({ path, message: 'must not be empty: list the parent values for which this param exists' });
      return undefined;
    }
    const before = issues.length;
    value.forEach((item, i) => checkValue(item, scalarSchema, [...path, i], issues));
    return issues.length === before ? { kind: 'in', values: value as ParamValue[] } : undefined;
  }
  if (isMapping(value)) {
    const before = issues.length;
    for (const key of Object.keys(value)) {
      if (key !== 'min' && key !== 'max') issues.push({ path: [...path, key], atKey: true, message: `unknown key${suggestion(key, ['min', 'max'])}; a range takes min and/or max` });
    }
    const bound = (key: 'min' | 'max'): number | undefined => {
      const v = value[key];
      if (v === undefined) return undefined;
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        issues.push({ path: [...path, key], message: `expected a finite number, got ${describeValue(v)}` });
        return undefined;
      }
      return v;
    };
    const min = bound('min');
    const max = bound('max');
    if (issues.length > before) return undefined;
    if (min === undefined && max === undefined) {
      issues.push({ path, message: 'a range needs min, max or both, e.g. { min: 3 }; or list the values instead, e.g. [3, 4]' });
      return undefined;
    }
    if (min !== undefined && max !== undefined && min > max) {
      issues.push({ path: [...path, 'min'], message: `min (${formatNumber(min, 15)}) must be <= max (${formatNumber(max, 15)})` });
      return undefined;
    }
    return { kind: 'range', ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) };
  }
  // A single value is a list of one: `when: { optimizer: adam }`.
  return checkValue(value, scalarSchema, path, issues) ? { kind: 'in', values: [value as ParamValue] } : undefined;
}

/**
 * What the whole space tells about its conditions: unknown parents (with a did-you-mean), values a
 * parent can never take, ranges of a parent that is not numeric, and cycles. `grid`: the parents
 * take only their grid points.
 */
export function checkConditions(specs: ParamSpecs, grid: boolean, issues: RawIssue[]): boolean {
  const before = issues.length;
  const names = Object.keys(specs);
  for (const [name, spec] of Object.entries(specs)) {
    if (spec.when === undefined) continue;
    for (const [parent, clause] of Object.entries(spec.when)) {
      const path: PathSegment[] = ['params', name, 'when', parent];
      if (parent === name) {
        issues.push({ path, atKey: true, message: `${name} cannot depend on itself; name another param` });
        continue;
      }
      if (!Object.hasOwn(specs, parent)) {
        const others = names.filter((other) => other !== name);
        const close = suggestion(parent, others);
        issues.push({ path, atKey: true, message: `unknown parent param ${JSON.stringify(parent)}${close !== '' ? close : others.length > 0 ? `; the params are ${others.join(', ')}` : '; the space has no other params'}` });
        continue;
      }
      checkClauseAgainst(parent, specs[parent], clause, grid, path, issues);
    }
  }
  if (issues.length === before) checkCycles(specs, issues);
  return issues.length === before;
}

function checkClauseAgainst(parent: string, spec: ParamSpec, clause: ConditionClause, grid: boolean, path: PathSegment[], issues: RawIssue[]): void {
  if (clause.kind === 'range') {
    const problem = rangeProblem(parent, spec, clause, grid);
    if (problem !== undefined) issues.push({ path, message: problem });
    return;
  }
  clause.values.forEach((value, i) => {
    const problem = unreachableValue(parent, spec, value, grid);
    if (problem !== undefined) issues.push({ path: clause.values.length === 1 ? path : [...path, i], message: problem });
  });
}

/** Why a range clause can never hold for `parent`, or undefined when it can. */
function rangeProblem(parent: string, spec: ParamSpec, clause: Extract<ConditionClause, { kind: 'range' }>, grid: boolean): string | undefined {
  const numeric = spec.type === 'float' || spec.type === 'int' || (spec.type === 'fixed' && typeof spec.value === 'number');
  if (!numeric) {
    const values = spec.type === 'categorical' ? spec.choices : spec.type === 'fixed' ? [spec.value] : [];
    const what = spec.type === 'categorical' ? 'categorical' : `fixed at ${showValue(spec.type === 'fixed' ? spec.value : null)}`;
    return `min/max need a numeric parent, and ${parent} is ${what}; list the values instead, e.g. [${values.slice(0, 2).map(showValue).join(', ')}]`;
  }
  const points = takenValues(spec, grid);
  const reachable = points !== null
    ? points.some((v) => typeof v === 'number' && (clause.min === undefined || v >= clause.min) && (clause.max === undefined || v <= clause.max))
    : (clause.min === undefined || clause.min <= (spec as { high: number }).high) && (clause.max === undefined || clause.max >= (spec as { low: number }).low);
  return reachable ? undefined : `${parent} never takes a value in this range (${takesText(spec, points)}), so the param would never exist`;
}

/**
 * The space with every list clause cut to the values its parent can still take, and without the
 * params whose conditions can no longer hold (and those that depend on them): for a space whose
 * ranges were narrowed, where a parent may have lost the values a child exists for. `dropped`
 * says which went and why.
 */
export function withoutUnreachable(specs: ParamSpecs, grid: boolean): { specs: ParamSpecs; dropped: { name: string; reason: string }[] } {
  const kept: Record<string, ParamSpec> = { ...specs };
  const dropped: { name: string; reason: string }[] = [];
  for (let changed = true; changed; ) {
    changed = false;
    for (const [name, spec] of Object.entries(kept)) {
      if (spec.when === undefined) continue;
      let reason: string | undefined;
      const when: Record<string, ConditionClause> = {};
      for (const [parent, clause] of Object.entries(spec.when)) {
        const parentSpec = kept[parent];
        if (parentSpec === undefined) {
          reason = `its parent ${parent} is gone`;
          break;
        }
        if (clause.kind === 'range') {
          reason = rangeProblem(parent, parentSpec, clause, grid);
          if (reason !== undefined) break;
          when[parent] = clause;
          continue;
        }
        const values = clause.values.filter((value) => unreachableValue(parent, parentSpec, value, grid) === undefined);
        if (values.length === 0) {
          reason = `${parent} no longer takes ${clause.values.map(showValue).join(' or ')}`;
          break;
        }
        when[parent] = values.length === clause.values.length ? clause : { kind: 'in', values };
      }
      if (reason !== undefined) {
        delete kept[name];
        dropped.push({ name, reason });
        changed = true;
      } else {
        kept[name] = { ...spec, when };
      }
    }
  }
  return { specs: kept, dropped };
}

/** Why `parent` can never take `value`, or undefined when it can. */
function unreachableValue(parent: string, spec: ParamSpec, value: ParamValue, grid: boolean): string | undefined {
  const points = takenValues(spec, grid);
  if (points !== null) {
    if (points.includes(value)) return undefined;
    const strings = points.filter((p): p is string => typeof p === 'string');
    const close = typeof value === 'string' ? suggestion(value, strings) : '';
    return `${parent} never takes ${showValue(value)} (${takesText(spec, points)})${close}`;
  }
  const range = spec as { type: 'float' | 'int'; low: number; high: number };
  if (typeof value !== 'number') return `${parent} is a number, never ${showValue(value)}`;
  if (range.type === 'int' && !Number.isInteger(value)) return `${parent} is an int param and never takes ${formatNumber(value, 15)}`;
  if (value < range.low || value > range.high) return `${parent} never takes ${formatNumber(value, 15)} (${takesText(spec, null)})`;
  return undefined;
}

/** The values a parent can take when they can be listed (choices, a fixed value, grid points, int steps); null for a continuous range. */
function takenValues(spec: ParamSpec, grid: boolean): readonly ParamValue[] | null {
  if (spec.type === 'categorical') return spec.choices;
  if (spec.type === 'fixed') return [spec.value];
  if (grid) return gridValues(spec);
  if (spec.type === 'int' && !spec.log && (spec.high - spec.low) / spec.step <= 10_000) return gridValues({ ...spec, values: undefined, grid: undefined } as ParamSpec);
  return null;
}

function takesText(spec: ParamSpec, points: readonly ParamValue[] | null): string {
  if (spec.type === 'categorical') return `its choices: ${spec.choices.map(showValue).join(', ')}`;
  if (spec.type === 'fixed') return `it is fixed at ${showValue(spec.value)}`;
  if (points !== null && points.length <= 12) return `it takes ${points.map(showValue).join(', ')}`;
  return `its range is [${formatNumber(spec.low, 15)}, ${formatNumber(spec.high, 15)}]`;
}

/** A cycle of parents (a → b → a) is reported once, at its first param in declaration order. */
function checkCycles(specs: ParamSpecs, issues: RawIssue[]): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const reported = new Set<string>();
  const visit = (name: string, stack: string[]): void => {
    const now = state.get(name);
    if (now === 'done') return;
    if (now === 'visiting') {
      const cycle = stack.slice(stack.indexOf(name));
      if (cycle.some((member) => reported.has(member))) return;
      for (const member of cycle) reported.add(member);
      const first = [...cycle].sort((a, b) => Object.keys(specs).indexOf(a) - Object.keys(specs).indexOf(b))[0];
      const from = cycle.indexOf(first);
      const ring = [...cycle.slice(from), ...cycle.slice(0, from), first];
      const path: PathSegment[] = ['params', first, 'when'];
      issues.push({ path, message: `the conditions form a cycle: ${ring.join(' → ')} (each needs the next decided first); remove one of these conditions` });
      return;
    }
    state.set(name, 'visiting');
    for (const parent of Object.keys(specs[name]?.when ?? {})) if (Object.hasOwn(specs, parent)) visit(parent, [...stack, name]);
    state.set(name, 'done');
  };
  for (const name of Object.keys(specs)) visit(name, []);
}
