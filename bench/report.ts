import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** One line of `npm run bench`: a measured median, and the target it is held to, if any. */
export interface BenchRow {
  name: string;
  /** Median over the repeats. */
  median: number;
  unit: string;
  /** All the repeats, for the record. */
  samples: number[];
  /** The row passes when median <= target (lower is better for every row so far). */
  target?: number;
  /** What the row is compared with, measured in the same run (see bench/reference/). */
  reference?: Reference;
  notes?: string;
}

/**
 * A reference measured on this machine in this run: the row prints median / value, so the
 * label says what the ratio is of, e.g. "numpy's time (...)" reads "1.9× numpy's time (...)".
 */
export interface MeasuredReference {
  label: string;
  /** In the row's unit. */
  value: number;
  unit: string;
  measured: true;
  /** The reference's individual timings; value is their median. */
  samples: number[];
  /** What it ran on and how, for the record: interpreter, library versions, the BLAS numpy called. */
  details?: Record<string, string | number>;
}

/** A reference that could not be measured (no Python, a missing package, a failed run): no ratio. */
export interface UnmeasuredReference {
  label: string;
  measured: false;
  reason: string;
}

export type Reference = MeasuredReference | UnmeasuredReference;

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export async function repeat(times: number, measure: () => Promise<number>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) samples.push(await measure());
  return samples;
}

export function printRows(rows: readonly BenchRow[]): void {
  const header = ['benchmark', 'median', 'unit', 'target', 'status', 'vs reference'];
  const lines = rows.map((row) => [
    row.name,
    formatValue(row.median),
    row.unit,
    row.target === undefined ? '-' : `<= ${formatValue(row.target)}`,
    row.target === undefined ? '-' : row.median <= row.target ? 'ok' : 'MISSED',
    referenceCell(row),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  // Names and the reference text read left to right; the figures line up on the right.
  const textColumn = (i: number) => i === 0 || i === header.length - 1;
  const render = (cells: string[]) => cells.map((c, i) => (textColumn(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  console.log(render(header));
  console.log(widths.map((w) => '─'.repeat(w)).join('  '));
  for (const line of lines) console.log(render(line));
}

function referenceCell({ median, unit, reference }: BenchRow): string {
  if (reference === undefined) return '-';
  if (!reference.measured) return `reference not measured (${reference.label}): ${reference.reason}`;
  if (reference.unit !== unit) throw new Error(`reference "${reference.label}" is in ${reference.unit}, its row in ${unit}`);
  return `${formatValue(median / reference.value)}× ${reference.label}: ${formatValue(reference.value)} ${reference.unit}`;
}

export function writeResults(file: string, rows: readonly BenchRow[]): void {
  mkdirSync(dirname(file), { recursive: true });
  const machine = { node: process.version, platform: process.platform, arch: process.arch };
  writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), machine, rows }, null, 2)}\n`);
}

function formatValue(x: number): string {
  return Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toPrecision(3);
}
