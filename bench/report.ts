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
  /** A reference to compare with, e.g. Optuna's figure, as "ratio = median / reference". */
  reference?: { value: number; label: string };
  notes?: string;
}

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
    row.reference ? `${formatValue(row.median / row.reference.value)}x ${row.reference.label}` : '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const render = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  console.log(render(header));
  console.log(widths.map((w) => '─'.repeat(w)).join('  '));
  for (const line of lines) console.log(render(line));
}

export function writeResults(file: string, rows: readonly BenchRow[]): void {
  mkdirSync(dirname(file), { recursive: true });
  const machine = { node: process.version, platform: process.platform, arch: process.arch };
  writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), machine, rows }, null, 2)}\n`);
}

function formatValue(x: number): string {
  return Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toPrecision(3);
}
