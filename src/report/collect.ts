// Stored spaces name objective kinds: register the built-in ones.
import '../objectives/builtin.js';
import type { Storage } from '../storage/storage.js';
import { storedSpaceOrNull } from '../study/create.js';
import { findStudy } from '../study/find.js';
import { TRIAL_STATES } from '../trial-state.js';
import { HpsearchError } from '../errors.js';
import { buildReportData, curveTrialNumbers, DEFAULT_CURVE_TRIALS, type ReportData } from './data.js';

export interface CollectOptions {
  /** The scatter's two params (`--scatter lr,wd`); checked against the study's params. */
  scatter?: readonly [string, string] | null;
  /** How many trials' learning curves (default 20). */
  curveTrials?: number;
}

/** Reads what the report shows of study `name`: every trial, and the steps of the trials whose curves it draws. */
export async function collectReportData(storage: Storage, name: string, options: CollectOptions = {}): Promise<ReportData> {
  const record = await findStudy(storage, name);
  // A space stored by another version may no longer validate: the report infers the params instead.
  const space = storedSpaceOrNull(record);
  const [trials, rows] = await Promise.all([
    storage.listTrials(record.id),
    storage.leaderboard(record.id, { top: Number.MAX_SAFE_INTEGER, direction: record.direction, states: TRIAL_STATES }),
  ]);
  const numbers = curveTrialNumbers(rows, record.direction, options.curveTrials ?? DEFAULT_CURVE_TRIALS);
  const details = await Promise.all(numbers.map((n) => storage.getTrial(record.id, n)));
  const steps = new Map(details.flatMap((d) => (d ? [[d.number, d.steps] as const] : [])));
  const data = buildReportData({
    study: { name: record.name, direction: record.direction, metric: record.metric, seed: record.seed },
    location: storage.location,
    space,
    trials,
    rows,
    steps,
    scatter: options.scatter ?? null,
  });
  if (options.scatter) {
    const numeric = data.params.filter((p) => p.type === 'float' || p.type === 'int').map((p) => p.name);
    for (const param of options.scatter) {
      if (!numeric.includes(param)) {
        throw new HpsearchError(
          'E_USAGE',
          `--scatter: "${param}" is not a numeric param of study "${name}" (its numeric params: ${numeric.join(', ') || 'none'})`,
        );
      }
    }
  }
  return data;
}
