import { describe, expect, it } from 'vitest';
import { studiesJson, studiesTable } from '../../../src/cli/format/studies.js';
import type { StudySummary } from '../../../src/storage/storage.js';

const STUDIES: StudySummary[] = [
  {
    id: 1,
    name: 'mnist-lr',
    direction: 'maximize',
    metric: 'val_accuracy',
    seed: 7,
    space: { big: 'document' },
    spaceFile: '/tmp/space.yaml',
    createdAt: Date.UTC(2024, 4, 1, 12, 0, 0),
    counts: { queued: 1, running: 2, complete: 35, pruned: 0, failed: 3 },
    best: 0.83,
    models: { count: 2, bytes: 813_000 },
  },
  {
    id: 2,
    name: 'empty',
    direction: 'minimize',
    metric: 'loss',
    seed: 0,
    space: {},
    spaceFile: null,
    createdAt: Date.UTC(2024, 4, 2, 0, 0, 0),
    counts: { queued: 0, running: 0, complete: 0, pruned: 0, failed: 0 },
    best: null,
    models: { count: 0, bytes: 0 },
  },
];

describe('studiesTable', () => {
  it('lists name, direction, metric, counts, best, models kept and their size, created', () => {
    expect(studiesTable(STUDIES).split('\n')).toEqual([
      'name      direction  metric        trials  complete  pruned  failed  running  queued  best                    models  created',
      '────────  ─────────  ────────────  ──────  ────────  ──────  ──────  ───────  ──────  ────  ────────────────────────  ────────────────────────',
      'mnist-lr  maximize   val_accuracy      41        35       0       3        2       1  0.83  2 (813 KB, ~407 KB each)  2024-05-01T12:00:00.000Z',
      'empty     minimize   loss               0         0       0       0        0       0     -                         -  2024-05-02T00:00:00.000Z',
    ]);
  });
});

describe('studiesJson', () => {
  it('has snake_case keys, ISO dates, totals and no space document', () => {
    expect(studiesJson(STUDIES)[0]).toEqual({
      name: 'mnist-lr',
      direction: 'maximize',
      metric: 'val_accuracy',
      seed: 7,
      space_file: '/tmp/space.yaml',
      created_at: '2024-05-01T12:00:00.000Z',
      trials: 41,
      counts: { queued: 1, running: 2, complete: 35, pruned: 0, failed: 3 },
      best: 0.83,
      models: { count: 2, bytes: 813_000 },
    });
    const best = studiesJson([{ ...STUDIES[0]!, best: Number.NaN }])[0]?.best;
    expect(best).toBeNull();
  });
});
