import { finiteOrNull, formatNumber } from '../../format/numbers.js';
import { renderTable, type Column } from './table.js';

/** One evaluated trial: `hpsearch evaluate`'s scores, and what training stored for the same weights. */
export interface EvaluationRow {
  number: number;
  val_accuracy: number;
  val_loss: number;
  test_accuracy?: number;
  test_loss?: number;
  /** The trial's stored metrics at the model's step; null when it has none. */
  stored: { step: number; val_accuracy: number; val_loss: number } | null;
}

/** What `--format json` prints: the test fields only when scored, NaN as null. */
export interface EvaluationJson {
  number: number;
  val_accuracy: number | null;
  val_loss: number | null;
  test_accuracy?: number | null;
  test_loss?: number | null;
}

export function evaluationJson(rows: readonly EvaluationRow[]): EvaluationJson[] {
  return rows.map((row) => {
    const out: EvaluationJson = { number: row.number, val_accuracy: finiteOrNull(row.val_accuracy), val_loss: finiteOrNull(row.val_loss) };
    if (row.test_accuracy !== undefined) out.test_accuracy = finiteOrNull(row.test_accuracy);
    if (row.test_loss !== undefined) out.test_loss = finiteOrNull(row.test_loss);
    return out;
  });
}

/** A row per trial; the stored column is training's val_accuracy for the same epoch, which val_accuracy reproduces. */
export function evaluationTable(rows: readonly EvaluationRow[]): string {
  const test = rows.some((row) => row.test_accuracy !== undefined);
  const columns: Column[] = [
    { header: '#', align: 'right' },
    { header: 'val_accuracy', align: 'right' },
    { header: 'val_loss', align: 'right' },
    ...(test ? [{ header: 'test_accuracy', align: 'right' as const }, { header: 'test_loss', align: 'right' as const }] : []),
    { header: 'stored val_accuracy (epoch)', align: 'right' },
  ];
  return renderTable(
    columns,
    rows.map((row) => [
      String(row.number),
      formatNumber(row.val_accuracy),
      formatNumber(row.val_loss),
      ...(test ? [formatNumber(row.test_accuracy ?? null), formatNumber(row.test_loss ?? null)] : []),
      row.stored === null ? '-' : `${formatNumber(row.stored.val_accuracy)} (${row.stored.step})`,
    ]),
  );
}
