import type { StudySummary } from '../../storage/storage.js';
import { TRIAL_STATES, type TrialState } from '../../trial-state.js';
import { finiteOrNull, formatBytes, formatNumber, isoOrNull } from '../../format/numbers.js';
import { renderTable, type Column } from './table.js';

export interface StudyJson {
  name: string;
  direction: string;
  metric: string;
  seed: number;
  space_file: string | null;
  created_at: string;
  trials: number;
  counts: Record<TrialState, number>;
  /** null also for a non-finite best, which JSON cannot carry. */
  best: number | null;
  /** The trained models the study keeps (run --save-models): how many, and their bytes in all. */
  models: { count: number; bytes: number };
}

const COUNT_COLUMNS: readonly TrialState[] = ['complete', 'pruned', 'failed', 'running', 'queued'];

export function studiesTable(list: StudySummary[]): string {
  const columns: Column[] = [
    { header: 'name' },
    { header: 'direction' },
    { header: 'metric' },
    { header: 'trials', align: 'right' },
    ...COUNT_COLUMNS.map((s): Column => ({ header: s, align: 'right' })),
    { header: 'best', align: 'right' },
    { header: 'models', align: 'right' },
    { header: 'created' },
  ];
  const rows = list.map((s) => [
    s.name,
    s.direction,
    s.metric,
    String(total(s)),
    ...COUNT_COLUMNS.map((state) => String(s.counts[state] ?? 0)),
    formatNumber(s.best),
    modelsCell(s),
    isoOrNull(s.createdAt) ?? '-',
  ]);
  return renderTable(columns, rows);
}

export function studiesJson(list: StudySummary[]): StudyJson[] {
  return list.map((s) => ({
    name: s.name,
    direction: s.direction,
    metric: s.metric,
    seed: s.seed,
    space_file: s.spaceFile,
    created_at: new Date(s.createdAt).toISOString(),
    trials: total(s),
    counts: Object.fromEntries(TRIAL_STATES.map((st) => [st, s.counts[st] ?? 0])) as Record<
      TrialState,
      number
    >,
    best: finiteOrNull(s.best),
    models: { count: s.models.count, bytes: s.models.bytes },
  }));
}

/** `2 × 406.5 KB`: how many models, and their size per model when they are alike, else in all. */
function modelsCell(s: StudySummary): string {
  const { count, bytes } = s.models;
  if (count === 0) return '-';
  return `${count} (${formatBytes(bytes)}${count > 1 ? `, ~${formatBytes(Math.round(bytes / count))} each` : ''})`;
}

function total(s: StudySummary): number {
  return TRIAL_STATES.reduce((sum, st) => sum + (s.counts[st] ?? 0), 0);
}
