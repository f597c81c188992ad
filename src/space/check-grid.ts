/**
 * The loader's check of a grid search: every param has finite grid points, and the grid (the
 * product of the params' points, or with conditions the tree GridTree enumerates) stays within
 * the limit. Returns the size, the default number of trials.
 */
import { describeConditions, isConditional } from './conditions.js';
import { gridSize, gridValues } from './distributions.js';
import { GridTree } from './grid-tree.js';
import type { RawIssue } from './raw-issue.js';
import type { ParamSpec, ParamSpecs, ParamValue } from './types.js';

/** Largest grid a grid search may enumerate. */
export const MAX_GRID_POINTS = 1_000_000;

/** The grid size, or undefined after reporting why the params cannot form a grid. */
export function checkGrid(params: ParamSpecs, issues: RawIssue[]): number | undefined {
  return isConditional(params) ? checkTreeGrid(params, issues) : checkProductGrid(params, issues);
}

function checkProductGrid(params: ParamSpecs, issues: RawIssue[]): number | undefined {
  let size = 1;
  /** The size counted from exact axes only; below `size` once an axis is only bounded. */
  let exactSize = 1;
  let ok = true;
  const factors: string[] = [];
  for (const [name, spec] of Object.entries(params)) {
    // A `grid: N` axis is built to drop points that coincide once rounded, a third of a second
    // for a million points. Once the grid is over the limit anyway it counts as at most N
    // points unbuilt, so a file of many such params cannot stall the check.
    const bound = size > MAX_GRID_POINTS && (spec.type === 'float' || spec.type === 'int') && spec.values === undefined ? spec.grid : undefined;
    const points = bound ?? gridSize(spec);
    if (!Number.isFinite(points)) {
      issues.push({ path: ['params', name], message: NO_GRID });
      ok = false;
      continue;
    }
    size *= points;
    if (bound === undefined) exactSize *= points;
    if (points > 1) factors.push(`${name}: ${bound === undefined ? '' : 'up to '}${formatCount(points)}`);
  }
  if (!ok) return undefined;
  if (size > MAX_GRID_POINTS) {
    const count = exactSize === size ? formatCount(size) : `more than ${formatCount(exactSize)}`;
    issues.push({
      path: ['params'],
      message: `the grid has ${count} points (${factors.join(' × ')}), more than the limit of ${formatCount(MAX_GRID_POINTS)}; use fewer points per param or strategy: random`,
    });
    return undefined;
  }
  return size;
}

/**
 * A conditional grid is counted over its tree, with the sampler's own code, so the size the
 * loader states is the capacity the study gets. The tree needs every param's points built (a
 * `grid: N` axis is at most the limit by the schema); a param with more points than the limit by
 * itself is reported at that param instead, unbuilt: the loader has checked that every param can
 * be active, so the whole grid would be over the limit too.
 */
function checkTreeGrid(params: ParamSpecs, issues: RawIssue[]): number | undefined {
  const before = issues.length;
  const values: Record<string, ParamValue[]> = {};
  for (const [name, spec] of Object.entries(params)) {
    const built = gridValues(spec);
    const points = built?.length ?? gridSize(spec);
    if (!Number.isFinite(points)) {
      issues.push({ path: ['params', name], message: NO_GRID });
    } else if (built === null || points > MAX_GRID_POINTS) {
      issues.push({
        path: ['params', name],
        message: `has ${formatCount(points)} grid points by itself, more than the limit of ${formatCount(MAX_GRID_POINTS)} for the whole grid; give it fewer points or use strategy: random`,
      });
    } else {
      values[name] = built;
    }
  }
  if (issues.length > before) return undefined;
  const size = new GridTree(params, values).size;
  if (size > MAX_GRID_POINTS) {
    const axes = Object.entries(params)
      .filter(([name]) => values[name].length > 1)
      .map(([name, spec]) => `${name}: ${formatCount(values[name].length)}${branchOf(spec)}`);
    issues.push({
      path: ['params'],
      message: `the grid has ${formatCount(size)} points, more than the limit of ${formatCount(MAX_GRID_POINTS)} (counted branch by branch, a conditional param only where its conditions hold: ${axes.join(', ')}); use fewer points per param, or strategy: random`,
    });
    return undefined;
  }
  return size;
}

const NO_GRID = 'grid search needs values: [...], grid: N or step';

function branchOf(spec: ParamSpec): string {
  return spec.when === undefined ? '' : ` when ${describeConditions(spec.when)}`;
}

function formatCount(n: number): string {
  return n < 1e15 ? n.toLocaleString('en-US') : n.toExponential(2);
}
