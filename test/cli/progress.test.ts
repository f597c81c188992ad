import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ProgressReporter, formatEta } from '../../src/cli/progress.js';

type FakeStream = Writable & { isTTY?: boolean; columns?: number; chunks: string[] };

function fakeStream(tty: boolean, columns?: number): FakeStream {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  }) as FakeStream;
  stream.chunks = chunks;
  if (tty) stream.isTTY = true;
  if (columns !== undefined) stream.columns = columns;
  return stream;
}

function clock(): { now: () => number; set: (t: number) => void } {
  let t = 0;
  return { now: () => t, set: (v) => (t = v) };
}

const CLEAR = '\r\x1b[2K';

function reporter(stream: FakeStream, c: { now: () => number }, total = 100, label?: string) {
  return new ProgressReporter({
    total,
    stream,
    direction: 'maximize',
    now: c.now,
    ...(label === undefined ? {} : { label }),
  });
}

describe('ProgressReporter on a TTY', () => {
  it('draws the bar, counts, best and ETA on one line', () => {
    const s = fakeStream(true);
    const c = clock();
    const p = reporter(s, c);
    c.set(8000); // 40 trials in 8 s: 200 ms each, 60 to go → 12 s
    p.update({ done: 40, running: 2, failed: 1, best: 0.83 });
    const stats = '40/100  running 2  failed 1  best 0.83  eta 12s';
    // 80 columns, one kept free: 79 - 47 - 3 = 29 bar cells, 40 % of them full.
    expect(s.chunks).toEqual([`${CLEAR}[${'█'.repeat(11)}${'░'.repeat(18)}] ${stats}`]);
    expect((s.chunks[0] ?? '').length - CLEAR.length).toBe(79);
  });

  it('shows pruned trials once there are any', () => {
    const plain = fakeStream(false);
    const p = new ProgressReporter({ total: 10, stream: plain, direction: 'maximize', now: () => 0 });
    p.update({ done: 3, running: 1, failed: 0, pruned: 0, best: 0.5 });
    p.update({ done: 10, running: 0, failed: 1, pruned: 4, best: 0.5 });
    expect(plain.chunks).toEqual(['trials 3/10 running 1 failed 0 best 0.5 eta 0s\n', 'trials 10/10 running 0 pruned 4 failed 1 best 0.5 eta 0s\n']);
    const tty = fakeStream(true);
    const q = new ProgressReporter({ total: 10, stream: tty, direction: 'maximize', now: () => 0 });
    q.update({ done: 10, running: 0, failed: 1, pruned: 4, best: 0.5 });
    expect(tty.chunks.at(-1)).toContain('10/10  running 0  pruned 4  failed 1  best 0.5');
  });

  it('bases the ETA on this run only when the study was resumed', () => {
    const s = fakeStream(false);
    const c = clock();
    const p = new ProgressReporter({ total: 40, stream: s, direction: 'maximize', now: c.now, alreadyDone: 12 });
    c.set(2000); // 2 trials of this run in 2 s; 26 to go → 26 s (not 28 / 14 * 2 s)
    p.update({ done: 14, running: 1, failed: 0, best: 0.5 });
    expect(s.chunks).toEqual(['trials 14/40 running 1 failed 0 best 0.5 eta 26s\n']);
  });

  it('adapts the bar to the width, caps it and drops it when too narrow', () => {
    const wide = fakeStream(true, 200);
    reporter(wide, clock(), 4).update({ done: 1, running: 0, failed: 0, best: null });
    expect(wide.chunks[0]).toBe(
      `${CLEAR}[${'█'.repeat(10)}${'░'.repeat(30)}] 1/4  running 0  failed 0  best -  eta 0s`,
    );

    const narrow = fakeStream(true, 40);
    reporter(narrow, clock(), 100, 'mnist').update({ done: 5, running: 3, failed: 0, best: 0.5 });
    expect(narrow.chunks[0]).toBe(`${CLEAR}${'mnist 5/100  running 3  failed 0  best 0.5  eta 0s'.slice(0, 39)}`);
  });

  it('shows -- as ETA before the first finished trial', () => {
    const s = fakeStream(true, 120);
    const c = clock();
    const p = reporter(s, c, 10, 'study');
    c.set(5000);
    p.update({ done: 0, running: 4, failed: 0, best: null });
    expect(s.chunks[0]).toBe(
      `${CLEAR}study [${'░'.repeat(40)}] 0/10  running 4  failed 0  best -  eta --`,
    );
  });

  it('redraws at most every intervalMs, except the final state, and ends the line', () => {
    const s = fakeStream(true, 120);
    const c = clock();
    const p = new ProgressReporter({ total: 3, stream: s, direction: 'minimize', now: c.now, intervalMs: 100 });
    const state = (done: number) => ({ done, running: 3 - done, failed: 0, best: done > 0 ? 0.1 : null });
    p.update(state(0)); // t=0: first update always draws
    c.set(50);
    p.update(state(1)); // throttled
    c.set(99);
    p.update(state(1)); // throttled
    c.set(100);
    p.update(state(2)); // draws
    c.set(120);
    p.update(state(3)); // final: draws although only 20 ms passed
    p.finish();
    const counts = s.chunks.map((chunk) => /(\d+)\/3/.exec(chunk)?.[1] ?? chunk);
    expect(counts).toEqual(['0', '2', '3', '\n']);
    // ETA at t=100 with 2 done: 50 ms each, 1 left → 0s; at the end nothing is left.
    expect(s.chunks[1]).toContain('eta 0s');
  });

  it('finish() shows a state held back by throttling, then is idempotent', () => {
    const s = fakeStream(true, 120);
    const c = clock();
    const p = reporter(s, c, 10);
    p.update({ done: 1, running: 1, failed: 0, best: 0.2 });
    c.set(10);
    p.update({ done: 2, running: 1, failed: 1, best: 0.3 });
    expect(s.chunks).toHaveLength(1);
    p.finish();
    p.finish();
    p.update({ done: 3, running: 0, failed: 1, best: 0.3 });
    expect(s.chunks).toHaveLength(3);
    expect(s.chunks[1]).toContain('2/10  running 1  failed 1  best 0.3');
    expect(s.chunks[2]).toBe('\n');
  });
});

describe('ProgressReporter on a plain stream', () => {
  it('prints a line per finished trial, at most one per 2 s, always the last', () => {
    const s = fakeStream(false);
    const c = clock();
    const p = reporter(s, c, 5);
    const at = (t: number, done: number, running = 1) => {
      c.set(t);
      p.update({ done, running, failed: 0, best: done > 0 ? done / 10 : null });
    };
    at(0, 0, 2); // nothing finished yet: no line
    at(1000, 1); // first finished trial: line
    at(1500, 1, 0); // running count only: no line
    at(2000, 2); // within 2 s of the last line: held back
    at(3000, 3); // 2 s after the last line: line
    at(3500, 4); // held back
    at(4000, 5); // final: always
    p.finish();
    expect(s.chunks).toEqual([
      'trials 1/5 running 1 failed 0 best 0.1 eta 4s\n',
      'trials 3/5 running 1 failed 0 best 0.3 eta 2s\n',
      'trials 5/5 running 1 failed 0 best 0.5 eta 0s\n',
    ]);
    expect(s.chunks.join('')).not.toContain('\r');
  });

  it('finish() prints the held-back last state once, with the label', () => {
    const s = fakeStream(false);
    const c = clock();
    const p = reporter(s, c, 10, 'mnist');
    c.set(1000);
    p.update({ done: 1, running: 2, failed: 1, best: null });
    c.set(1500);
    p.update({ done: 2, running: 2, failed: 1, best: 0.83 });
    p.finish();
    p.finish();
    expect(s.chunks).toEqual([
      'mnist 1/10 running 2 failed 1 best - eta 9s\n',
      'mnist 2/10 running 2 failed 1 best 0.83 eta 6s\n',
    ]);
  });
});

describe('formatEta', () => {
  it.each([
    [0, '0s'],
    [12_400, '12s'],
    [59_600, '1m00s'],
    [245_000, '4m05s'],
    [3_720_000, '1h02m'],
  ])('%s ms → %s', (ms, text) => {
    expect(formatEta(ms)).toBe(text);
  });
});
