import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDataset, readCsv } from '../../../src/task/datasets/index.js';
import { useTempDir } from '../../helpers/temp.js';
import { expectDataError, spec } from './helpers.js';

const tempDir = useTempDir();

function csv(text: string): string {
  const file = join(tempDir(), 'data.csv');
  writeFileSync(file, text);
  return file;
}

describe('readCsv', () => {
  it('reads numeric features around the label column', async () => {
    const file = csv('\uFEFFa,label,b\r\n1.5,0,-2\r\n\r\n3,1,4e2\r\n0,2,0\r\n');
    const data = await readCsv(file, 'label');
    expect(data.featureNames).toEqual(['a', 'b']);
    expect(data.features).toBe(2);
    expect(data.count).toBe(3);
    expect(Array.from(data.x)).toEqual([1.5, -2, 3, 400, 0, 0]);
    expect(Array.from(data.y)).toEqual([0, 1, 2]);
    expect(data.labels).toEqual(['0', '1', '2']);
  });

  it('maps numeric labels to 0..k-1 in numeric order', async () => {
    const data = await readCsv(csv('x,y\n1,10\n2,9\n3,-1\n4,9.0\n'), 'y');
    expect(data.labels).toEqual(['-1', '9', '10']);
    expect(Array.from(data.y)).toEqual([2, 1, 0, 1]);
  });

  it('maps string labels to 0..k-1 in sorted order, with quoted fields', async () => {
    const data = await readCsv(csv('x,"kind"\n1,dog\n2,"cat, big"\n3,cat\n4,"say ""hi"""\n'), 'kind');
    expect(data.labels).toEqual(['cat', 'cat, big', 'dog', 'say "hi"']);
    expect(Array.from(data.y)).toEqual([2, 1, 0, 3]);
  });

  it('names the missing file', async () => {
    const file = join(tempDir(), 'missing.csv');
    await expectDataError(readCsv(file, 'label'), file, 'not found');
  });

  it('suggests the label column the user probably meant', async () => {
    const file = csv('pixel0,label\n1,0\n');
    await expectDataError(readCsv(file, 'lable'), file, 'no label column "lable" in the header (pixel0, label); did you mean "label"?');
    const wide = csv(`${Array.from({ length: 784 }, (_, i) => `pixel${i}`).join(',')},label\n`);
    await expectDataError(readCsv(wide, 'Label'), '(pixel0, pixel1, pixel2, pixel3, pixel4, pixel5, pixel6, pixel7, … (785 columns)); did you mean "label"?');
  });

  it('names the row and column of a non-numeric cell', async () => {
    await expectDataError(readCsv(csv('a,b,label\n1,2,0\n3,x3,1\n'), 'label'), 'line 3, column "b": "x3" is not a number');
    await expectDataError(readCsv(csv('a,b,label\n1,,0\n'), 'label'), 'line 2, column "b": "" is not a number');
  });

  it('rejects ragged rows, empty files, missing labels and label-only files', async () => {
    await expectDataError(readCsv(csv('a,b,label\n1,2,0\n1,2\n'), 'label'), 'line 3 has 2 cells, the header has 3');
    await expectDataError(readCsv(csv('\n'), 'label'), 'CSV file is empty');
    await expectDataError(readCsv(csv('a,label\n'), 'label'), 'no data rows');
    await expectDataError(readCsv(csv('a,label\n1,\n'), 'label'), 'line 2: empty label');
    await expectDataError(readCsv(csv('label\n1\n'), 'label'), 'no feature columns');
    await expectDataError(readCsv(csv('a,label\n"1,0\n'), 'label'), 'line 2: unterminated quoted field');
  });
});

describe('loadDataset with a CSV source', () => {
  it('is not an image dataset, and scales only when asked', async () => {
    const rows = Array.from({ length: 10 }, (_, i) => `${i * 10},${i % 2 ? 'b' : 'a'}`);
    const source = { type: 'csv' as const, path: csv(['v,cls', ...rows].join('\n')), labelColumn: 'cls' };
    const raw = await loadDataset(spec(source, { shuffle: false, scale: false }), 1);
    expect(raw).toMatchObject({ features: 1, imageShape: null, classes: 2 });
    expect(Array.from(raw.validation.x)).toEqual([0, 10]);
    expect(Array.from(raw.train.x)).toEqual([20, 30, 40, 50, 60, 70, 80, 90]);
    expect(Array.from(raw.train.y)).toEqual([0, 1, 0, 1, 0, 1, 0, 1]);
    const scaled = await loadDataset(spec(source, { shuffle: false, trainSamples: 5 }), 1);
    expect(Array.from(scaled.train.x)).toEqual([10, 20, 30, 40].map((v) => Math.fround(v / 255)));
  });
});

describe('a CSV test entry', () => {
  function file(name: string, text: string): string {
    const path = join(tempDir(), name);
    writeFileSync(path, text);
    return path;
  }

  it("is the test set, its labels mapped to the training file's classes", async () => {
    const train = file('train.csv', 'a,label,b\n1,cat,2\n3,dog,4\n5,eel,6\n7,cat,8\n');
    // Only two of the three classes, in another order: "dog" must stay class 1, not become 0.
    const test = file('test.csv', 'a,label,b\n10,dog,20\n30,eel,40\n');
    const source = { type: 'csv', path: train, labelColumn: 'label', test: { path: test } } as const;
    const data = await loadDataset(spec(source, { scale: false, useTestSet: true }), 1);
    expect(Array.from(data.validation.x)).toEqual([10, 20, 30, 40]);
    expect(Array.from(data.validation.y)).toEqual([1, 2]);
    expect(data.train.count).toBe(4);
    const numeric = file('n.csv', 'x,y\n1,10\n2,9\n');
    const numericTest = file('nt.csv', 'x,y\n5,9.0\n');
    const held = await loadDataset(spec({ type: 'csv', path: numeric, labelColumn: 'y', test: { path: numericTest } }, { scale: false, useTestSet: true }), 1);
    expect(Array.from(held.validation.y)).toEqual([0]);
  });

  it('must have the same columns and no class of its own', async () => {
    const train = file('train.csv', 'a,label,b\n1,0,2\n3,1,4\n');
    const other = file('other.csv', 'b,label,a\n1,0,2\n');
    const open = (test: string) => loadDataset(spec({ type: 'csv', path: train, labelColumn: 'label', test: { path: test } }, { useTestSet: true }), 1);
    await expectDataError(open(other), other, "its feature columns (b, a) are not the training file's (a, b), in the same order");
    const newClass = file('new.csv', 'a,label,b\n1,7,2\n');
    await expectDataError(open(newClass), newClass, 'label "7" is not a class of the training file (0, 1)');
    await expectDataError(open(join(tempDir(), 'gone.csv')), 'gone.csv', 'not found');
  });
});
