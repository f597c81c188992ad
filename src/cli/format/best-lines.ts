import type { LeaderboardRow } from '../../storage/storage.js';
import { formatNumber, formatParamValue } from '../../format/numbers.js';

const METRIC_LABELS: Record<string, string> = {
  val_accuracy: 'val acc',
  val_acc: 'val acc',
  accuracy: 'acc',
  val_loss: 'val loss',
};

const PARAM_LABELS: Record<string, string> = {
  learning_rate: 'lr',
};

/** Short metric name for summaries: `val_accuracy` → `val acc`, otherwise `_` → space. */
export function metricLabel(metric: string): string {
  return METRIC_LABELS[metric] ?? metric.replace(/_/g, ' ');
}

/** Short param name for summaries: `learning_rate` → `lr`, otherwise `_` → space. */
export function paramLabel(name: string): string {
  return PARAM_LABELS[name] ?? name.replace(/_/g, ' ');
}

/**
 * End-of-run summary in the style of "Deep Learning from Scratch" ch. 6, one line per row:
 * `Best-1 (val acc: 0.83) | lr: 9.2e-3, weight decay: 3.9e-7`. All params of the row are shown,
 * in the row's order, so lines of one study line up; a param the trial lacks (a conditional one
 * inactive in it) is left out of its line, not shown as null.
 */
export function formatBestLines(rows: LeaderboardRow[], metric: string): string[] {
  const label = metricLabel(metric);
  return rows.map((row) => {
    const head = `Best-${row.rank} (${label}: ${formatNumber(row.value, 4)})`;
    const params = Object.entries(row.params).map(
      ([name, value]) => `${paramLabel(name)}: ${formatParamValue(value)}`,
    );
    return params.length > 0 ? `${head} | ${params.join(', ')}` : head;
  });
}
