/**
 * `{ type: 'csv', path, labelColumn }`: a header row, then one example per line; every
 * column but the label is a numeric feature. Fields may be double-quoted ("" escapes a
 * quote) but not span lines; blank lines are skipped.
 *
 * Labels: the distinct label values, sorted, become classes 0..k-1 — numerically when every
 * label is a number ("2" and "2.0" are one class), otherwise by string (code unit order).
 * So labels already 0..k-1 keep their values, 1..k become 0..k-1, and "cat"/"dog" become
 * 0/1. A label value missing from the file does not get a class: {0, 1, 3} becomes {0, 1, 2}.
 */
import { suggestion } from '../../space/did-you-mean.js';
import { dataError, readDataFile, type DataSource, type RawExamples, type SourcePart } from './split.js';

export interface CsvExamples extends RawExamples {
  x: Float32Array;
  features: number;
  featureNames: string[];
  /** The original label of each class index. */
  labels: string[];
}

function splitLine(line: string, file: string, lineNumber: number): string[] {
  if (!line.includes('"')) return line.split(',').map((cell) => cell.trim());
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      cells.push(cell.trim());
      cell = '';
    } else cell += ch;
  }
  if (quoted) throw dataError(file, `line ${lineNumber}: unterminated quoted field`);
  cells.push(cell.trim());
  return cells;
}

/**
 * Classes of a file read alone, from its label values; or, given the training file's `classes`,
 * those (a test file must not bring a class of its own: it would get an index the model never saw).
 */
function classMapping(values: Set<string>, file: string, classes?: readonly string[]): { labels: string[]; indexOf: (value: string) => number } {
  if (classes !== undefined) {
    const numeric = classes.every((value) => Number.isFinite(Number(value)));
    const index = new Map<string | number, number>(classes.map((c, i) => [numeric ? Number(c) : c, i]));
    for (const value of values) {
      if (!index.has(numeric ? Number(value) : value)) {
        throw dataError(file, `label "${value}" is not a class of the training file (${classes.length > 12 ? `${classes.length} classes` : classes.join(', ')})`);
      }
    }
    return { labels: [...classes], indexOf: (value) => index.get(numeric ? Number(value) : value)! };
  }
  const all = [...values];
  if (all.every((value) => Number.isFinite(Number(value)))) {
    const numbers = [...new Set(all.map(Number))].sort((a, b) => a - b);
    const index = new Map(numbers.map((n, i) => [n, i]));
    return { labels: numbers.map(String), indexOf: (value) => index.get(Number(value))! };
  }
  const sorted = all.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const index = new Map(sorted.map((s, i) => [s, i]));
  return { labels: sorted, indexOf: (value) => index.get(value)! };
}

/** `classes`: the training file's, for a test file (see classMapping). */
export async function readCsv(file: string, labelColumn: string, options: { classes?: readonly string[] } = {}): Promise<CsvExamples> {
  const text = (await readDataFile(file)).toString('utf8').replace(/^\uFEFF/, '');
  const lines = text.split(/\r?\n/);
  const headerIndex = lines.findIndex((line) => line.trim() !== '');
  if (headerIndex < 0) throw dataError(file, 'CSV file is empty; expected a header row');
  const header = splitLine(lines[headerIndex]!, file, headerIndex + 1);
  const labelAt = header.indexOf(labelColumn);
  if (labelAt < 0) {
    throw dataError(file, `no label column "${labelColumn}" in the header (${shortList(header)})${suggestion(labelColumn, header)}`);
  }
  const featureNames = header.filter((_, i) => i !== labelAt);
  if (featureNames.length === 0) throw dataError(file, `CSV file has no feature columns besides "${labelColumn}"`);
  const rows: { cells: string[]; line: number }[] = [];
  for (let i = headerIndex + 1; i < lines.length; i++) {
    if (lines[i]!.trim() === '') continue;
    const cells = splitLine(lines[i]!, file, i + 1);
    if (cells.length !== header.length) {
      throw dataError(file, `line ${i + 1} has ${cells.length} cells, the header has ${header.length}`);
    }
    rows.push({ cells, line: i + 1 });
  }
  if (rows.length === 0) throw dataError(file, 'CSV file has a header but no data rows');

  const features = featureNames.length;
  const x = new Float32Array(rows.length * features);
  const rawLabels: string[] = [];
  rows.forEach(({ cells, line }, r) => {
    let k = 0;
    cells.forEach((cell, c) => {
      if (c === labelAt) {
        if (cell === '') throw dataError(file, `line ${line}: empty label in column "${labelColumn}"`);
        rawLabels.push(cell);
        return;
      }
      const value = cell === '' ? NaN : Number(cell);
      if (!Number.isFinite(value)) throw dataError(file, `line ${line}, column "${header[c]}": "${cell}" is not a number`);
      x[r * features + k++] = value;
    });
  });
  const { labels, indexOf } = classMapping(new Set(rawLabels), file, options.classes);
  const y = Int32Array.from(rawLabels, indexOf);
  return { x, y, count: rows.length, features, featureNames, labels };
}

/**
 * A CSV dataset: all of it is training data, not images; the test set is the `test` file's, whose
 * header must name the same columns in the same order and whose labels must be training classes.
 */
export async function openCsv(file: string, labelColumn: string, testFile?: string): Promise<DataSource> {
  const data = await readCsv(file, labelColumn);
  let test: DataSource['test'] = null;
  if (testFile !== undefined) {
    const held = await readCsv(testFile, labelColumn, { classes: data.labels });
    if (held.featureNames.join(',') !== data.featureNames.join(',')) {
      throw dataError(testFile, `its feature columns (${shortList(held.featureNames)}) are not the training file's (${shortList(data.featureNames)}), in the same order`);
    }
    test = whole(held);
  }
  return { name: file, features: data.features, imageShape: null, classes: data.labels.length, train: whole(data), test };
}

function whole(data: CsvExamples): SourcePart {
  return {
    count: data.count,
    read: async (limit) => {
      const count = Math.min(limit, data.count);
      return { x: data.x.subarray(0, count * data.features), y: data.y.subarray(0, count), count };
    },
  };
}

/** A pixel CSV has 785 columns: name a few, not all. */
function shortList(names: string[]): string {
  return names.length > 8 ? `${names.slice(0, 8).join(', ')}, … (${names.length} columns)` : names.join(', ');
}
