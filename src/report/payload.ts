import { createHash } from 'node:crypto';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { ReportData } from './data.js';
import { VIEW_IDS, viewSpecs, type ViewId } from './specs.js';

/**
 * What the page renders: the data for its tables and each chart compiled from Vega-Lite to
 * Vega here, so the page needs only the Vega runtime. `revision` changes when anything shown
 * changes (not with the time it was made), which is how `serve` tells a page to redraw.
 */
export interface ReportPayload {
  revision: string;
  data: ReportData;
  views: ReportView[];
}

export interface ReportView {
  id: ViewId;
  title: string;
  description: string;
  /** A compiled Vega spec, or null with `empty` saying why there is nothing to draw. */
  vega: unknown;
  empty: string | null;
}

export const VIEW_TEXT: Record<ViewId, { title: string; description: string }> = {
  curves: {
    title: 'Learning curves',
    description: 'The best trials (complete first, then pruned ones, faded), one chart each: validation solid, training dashed.',
  },
  scatter: {
    title: 'Where the good trials are',
    description: 'Two params of every complete trial that has both (a conditional param only where it is active), on log axes for log-scaled params, coloured by the objective.',
  },
  history: {
    title: 'Optimisation history',
    description: 'Each finished trial’s value by trial number (pruned ones grey, at the step they stopped), and the best complete value so far.',
  },
  parallel: {
    title: 'Parallel coordinates',
    description:
      'One line per complete trial through every varying param and the objective; each axis spans the values drawn. A trial without a param (a conditional one inactive in it) crosses its axis at the “inactive” mark below it.',
  },
  importance: {
    title: 'Parameter importance',
    description:
      'Share of the objective’s variance each param explains on its own: trials grouped by the param (numbers into up to 10 equal-count bins, choices by choice), ε² of the split, scaled to sum to 1. Interactions are not counted. A conditional param is estimated over the trials where it is active (their number follows its name), and left out when fewer than 4 have it.',
  },
  rounds: {
    title: 'Narrowing rounds',
    description: 'Each round’s range per numeric param, with the round’s trials on it.',
  },
};

/**
 * Vega-Lite writes its warnings to the console; a spec of ours that draws one is a bug, so
 * they become errors here (and the tests see them).
 */
function compileQuietly(spec: TopLevelSpec): unknown {
  const complain = (...message: unknown[]) => {
    throw new Error(`Vega-Lite: ${message.map(String).join(' ')}`);
  };
  const logger = { level: () => logger, error: complain, warn: complain, info: () => logger, debug: () => logger };
  return compile(spec, { logger: logger as never }).spec;
}

export function buildPayload(data: ReportData): ReportPayload {
  const specs = viewSpecs(data);
  const views = VIEW_IDS.map((id): ReportView => {
    const view = specs[id];
    return { id, ...VIEW_TEXT[id], vega: 'spec' in view ? compileQuietly(view.spec) : null, empty: 'empty' in view ? view.empty : null };
  });
  const { generatedAt: _generatedAt, ...shown } = data;
  const revision = createHash('sha256').update(JSON.stringify(shown)).digest('hex').slice(0, 16);
  return { revision, data, views };
}
