import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { OBJECTIVES, REPO, useTempDir } from '../helpers/temp.js';

const tempDir = useTempDir();

/** objectives/ramp.mjs: 12 trials of 9 steps whose curves keep their order; the file's ASHA has rungs at 1 and 3 steps. */
const SPACE = join(REPO, 'test', 'fixtures', 'spaces', 'compare-ramp.yaml');
const TRIALS = 12;
const STEPS = 9;
/** The same with TPE as its sampler (3 startup trials): what `--samplers` runs as tpe. */
const TPE_SPACE = join(REPO, 'test', 'fixtures', 'spaces', 'compare-ramp-tpe.yaml');

interface SeedJson {
  seed: number;
  study: string;
  best: number | null;
  trials: number;
  pruned: number;
  failed: number;
  steps_trained: number;
  fraction_of_reference: number | null;
  reference_best: number | null;
  reached: { trial: number; steps: number } | null;
  met_target: boolean | null;
}

interface StrategyJson {
  strategy: string;
  pruner: Record<string, unknown>;
  best: { mean: number; std: number; n: number };
  steps_trained: { mean: number; fraction_of_reference: number };
  steps_to_reach: { mean: number | null; reached: number; of: number };
  target: { met: number; of: number; all: boolean } | null;
  seeds: SeedJson[];
}

interface SamplersJson extends CompareJson {
  samplers: string[];
  reference_sampler: string;
  strategies: (StrategyJson & { sampler: string; search: Record<string, unknown> })[];
}

interface CompareJson {
  seeds: number[];
  trials: number;
  reference: string;
  db: string;
  strategies: StrategyJson[];
}

describe('hpsearch compare, end to end in child processes', () => {
  it('runs each strategy on each seed with the same trials, and the pruned one trains fewer steps', async () => {
    const dir = tempDir();
    const db = join(dir, 'compare.db');
    const result = await runCli(['compare', SPACE, '--pruners', 'none,asha', '--seeds', '2', '--workers', '2', '--db', db, '--format', 'json']);
    expect(result.stderr).not.toMatch(/unexpected error/);
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout) as CompareJson;
    expect(doc.seeds).toEqual([7, 8]);
    expect(doc.trials).toBe(TRIALS);
    expect(doc.reference).toBe('none');
    expect(doc.strategies.map((s) => s.strategy)).toEqual(['none', 'asha']);
    // Without --samplers: the file's own search, named in each row.
    expect(doc.strategies.map((s) => (s as StrategyJson & { sampler: string }).sampler)).toEqual(['random', 'random']);
    const [none, asha] = doc.strategies as [StrategyJson, StrategyJson];
    // The asha strategy runs the file's own successive-halving settings.
    expect(asha.pruner).toMatchObject({ type: 'successive_halving', min_resource: 1, reduction_factor: 3, max_resource: 9 });
    expect(none.pruner).toEqual({ type: 'none' });

    for (const [i, seed] of [7, 8].entries()) {
      const ref = none.seeds[i]!;
      const pruned = asha.seeds[i]!;
      expect([ref.seed, pruned.seed]).toEqual([seed, seed]);
      expect(ref.study).toBe(`ramp.compare.none.s${seed}`);
      expect(pruned.study).toBe(`ramp.compare.asha.s${seed}`);
      // Without a pruner every trial trains every step.
      expect(ref).toMatchObject({ trials: TRIALS, pruned: 0, failed: 0, steps_trained: TRIALS * STEPS, fraction_of_reference: 1 });
      expect(ref.reference_best).toBe(ref.best);
      expect(ref.reached!.steps).toBeLessThanOrEqual(TRIALS * STEPS);
      expect(ref.met_target).toBeNull();
      // ASHA stops low trials early; the best trial leads at every rung, so it is never pruned.
      expect(pruned.trials).toBe(TRIALS);
      expect(pruned.pruned).toBeGreaterThan(0);
      expect(pruned.steps_trained).toBeLessThan(TRIALS * STEPS);
      expect(pruned.fraction_of_reference).toBeCloseTo(pruned.steps_trained / (TRIALS * STEPS), 12);
      expect(pruned.best).toBe(ref.best);
      expect(pruned.reference_best).toBe(ref.best);
      expect(pruned.reached).not.toBeNull();
      expect(pruned.reached!.steps).toBeLessThanOrEqual(pruned.steps_trained);
      expect(typeof pruned.met_target).toBe('boolean');
    }
    expect(none.steps_trained).toEqual({ mean: TRIALS * STEPS, fraction_of_reference: 1 });
    expect(asha.steps_trained.mean).toBe((asha.seeds[0]!.steps_trained + asha.seeds[1]!.steps_trained) / 2);
    expect(asha.steps_to_reach).toMatchObject({ reached: 2, of: 2 });
    expect(asha.target).toMatchObject({ of: 2 });
    expect(none.best.n).toBe(2);
    expect(none.best.std).toBeGreaterThan(0);

    const sqlite = new Database(db, { readonly: true });
    try {
      const trials = sqlite
        .prepare(
          `SELECT s.name AS study, t.number, t.params_json AS params, t.state,
                  (SELECT COUNT(*) FROM trial_steps ts WHERE ts.trial_id = t.id AND ts.name = 'val_accuracy') AS steps
             FROM trials t JOIN studies s ON s.id = t.study_id ORDER BY s.name, t.number`,
        )
        .all() as { study: string; number: number; params: string; state: string; steps: number }[];
      const of = (study: string) => trials.filter((t) => t.study === study);
      expect(new Set(trials.map((t) => t.study))).toEqual(
        new Set(['ramp.compare.none.s7', 'ramp.compare.asha.s7', 'ramp.compare.none.s8', 'ramp.compare.asha.s8']),
      );
      for (const seed of [7, 8]) {
        const ref = of(`ramp.compare.none.s${seed}`);
        const pruned = of(`ramp.compare.asha.s${seed}`);
        // Same seed: the same params for each trial number, whatever the strategy.
        expect(pruned.map((t) => [t.number, t.params])).toEqual(ref.map((t) => [t.number, t.params]));
        expect(ref.every((t) => t.state === 'complete' && t.steps === STEPS)).toBe(true);
        expect(pruned.filter((t) => t.state === 'pruned').length).toBe(asha.seeds[seed - 7]!.pruned);
        // The steps the summary counts are the steps stored.
        expect(pruned.reduce((sum, t) => sum + t.steps, 0)).toBe(asha.seeds[seed - 7]!.steps_trained);
      }
      // Another seed, other params.
      expect(of('ramp.compare.none.s7')[0]!.params).not.toBe(of('ramp.compare.none.s8')[0]!.params);
    } finally {
      sqlite.close();
    }
  });

  it('prints the table, adds the reference, writes a fresh database by default and refuses to reuse its studies', async () => {
    const dir = tempDir();
    const result = await runCli(['compare', SPACE, '--pruners', 'median', '--workers', '1'], { cwd: dir });
    expect(result.stderr).not.toMatch(/unexpected error/);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^strategy\s+best val_accuracy\s+steps\/seed\s+vs none\s+wall time\s+pruned\s+stopped early\s+steps to reach\s+reached\s+target$/);
    expect(lines[2]).toMatch(/^none\s+[0-9.]+ ± 0\s+108\s+100%\s+\S+\s+0\s+0\s+\d+ \(\d+(\.\d)?%\)\s+1\/1\s+-$/);
    expect(lines[3]).toMatch(/^median\s+[0-9.]+ ± 0\s+\d+\s+\d+(\.\d)?%\s+\S+\s+\d+\s+0\s+(\d+ \(\d+(\.\d)?%\)|-)\s+[01]\/1\s+(met 1\/1|missed 0\/1)$/);
    expect(result.stdout).toMatch(/1 seed \(7\).*sample standard deviation/);
    expect(result.stderr).toMatch(/added the reference strategy "none"/);
    expect(result.stderr).toMatch(/\[1\/2\] none seed 7: best val_accuracy [0-9.]+, 108 steps, 0 pruned/);
    expect(result.stderr).toMatch(/\[2\/2\] median seed 7: .*% of none\)/);

    const files = readdirSync(join(dir, 'runs', 'compare'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^ramp-\d{8}T\d{6}\.db$/);
    const db = join('runs', 'compare', files[0]!);
    expect(result.stderr).toContain(`runs stored in ${db}`);

    const again = await runCli(['compare', SPACE, '--pruners', 'none,median', '--db', db], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/study "ramp\.compare\.none\.s7" already exists in .*--db/);
  });

  it('with --samplers random,tpe, runs every (sampler, pruner, seed) on the same budget and seeds, all measured against random none', async () => {
    const dir = tempDir();
    const db = join(dir, 'samplers.db');
    const result = await runCli(['compare', TPE_SPACE, '--samplers', 'random,tpe', '--pruners', 'none,asha', '--seeds', '2', '--workers', '2', '--db', db, '--format', 'json']);
    expect(result.stderr).not.toMatch(/unexpected error/);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/comparing samplers random, tpe × pruners none, asha on .*compare-ramp-tpe\.yaml: 2 seeds from 7, 12 trials per run/);
    expect(result.stderr).toMatch(/\[1\/8\] random none seed 7: /);
    expect(result.stderr).toMatch(/\[4\/8\] tpe asha seed 7: .*% of random none\)/);
    const doc = JSON.parse(result.stdout) as SamplersJson;
    expect(doc).toMatchObject({ seeds: [7, 8], trials: TRIALS, samplers: ['random', 'tpe'], reference: 'none', reference_sampler: 'random' });
    expect(doc.strategies.map((s) => [s.sampler, s.strategy])).toEqual([
      ['random', 'none'],
      ['random', 'asha'],
      ['tpe', 'none'],
      ['tpe', 'asha'],
    ]);
    const row = (sampler: string, strategy: string) => doc.strategies.find((s) => s.sampler === sampler && s.strategy === strategy)!;
    // random: the file's search with its strategy replaced; tpe: the file's own tpe settings.
    expect(row('random', 'none').search).toEqual({ strategy: 'random', trials: TRIALS });
    expect(row('tpe', 'asha').search).toMatchObject({ strategy: 'tpe', trials: TRIALS, startup_trials: 3, ei_candidates: 24, constant_liar: true });
    expect(row('tpe', 'asha').pruner).toMatchObject({ type: 'successive_halving', min_resource: 1, max_resource: 9 });
    expect(row('random', 'none').target).toBeNull();
    for (const [i, seed] of [7, 8].entries()) {
      const reference = row('random', 'none').seeds[i]!;
      expect(reference).toMatchObject({ seed, study: `ramp-tpe.compare.random.none.s${seed}`, steps_trained: TRIALS * STEPS, fraction_of_reference: 1 });
      for (const [sampler, strategy] of [['random', 'asha'], ['tpe', 'none'], ['tpe', 'asha']] as const) {
        const own = row(sampler, strategy).seeds[i]!;
        expect(own).toMatchObject({ seed, study: `ramp-tpe.compare.${sampler}.${strategy}.s${seed}`, trials: TRIALS, reference_best: reference.best });
        expect(own.fraction_of_reference).toBeCloseTo(own.steps_trained / (TRIALS * STEPS), 12);
      }
      // Without a pruner TPE trains every step too; with ASHA it trains fewer.
      expect(row('tpe', 'none').seeds[i]!.steps_trained).toBe(TRIALS * STEPS);
      expect(row('tpe', 'asha').seeds[i]!.steps_trained).toBeLessThan(TRIALS * STEPS);
    }
    expect(row('tpe', 'none').target).toMatchObject({ of: 2 });

    const sqlite = new Database(db, { readonly: true });
    try {
      const studies = sqlite.prepare('SELECT name, space_json AS space FROM studies ORDER BY name').all() as { name: string; space: string }[];
      expect(studies.map((s) => s.name)).toEqual(
        ['random', 'tpe'].flatMap((sampler) => ['asha', 'none'].flatMap((strategy) => [7, 8].map((seed) => `ramp-tpe.compare.${sampler}.${strategy}.s${seed}`))),
      );
      // Each study's stored space says what ran.
      for (const study of studies) {
        const search = (JSON.parse(study.space) as { search: Record<string, unknown> }).search;
        expect(search).toEqual(study.name.includes('.tpe.') ? { strategy: 'tpe', trials: TRIALS, startup_trials: 3 } : { strategy: 'random', trials: TRIALS });
      }
      const trials = sqlite
        .prepare('SELECT s.name AS study, t.number, t.params_json AS params, t.sampler_state AS state FROM trials t JOIN studies s ON s.id = t.study_id ORDER BY s.name, t.number')
        .all() as { study: string; number: number; params: string; state: string }[];
      const of = (study: string) => trials.filter((t) => t.study === study);
      for (const seed of [7, 8]) {
        const random = of(`ramp-tpe.compare.random.none.s${seed}`);
        expect(of(`ramp-tpe.compare.random.asha.s${seed}`).map((t) => t.params)).toEqual(random.map((t) => t.params));
        for (const strategy of ['none', 'asha']) {
          const tpe = of(`ramp-tpe.compare.tpe.${strategy}.s${seed}`);
          expect(tpe).toHaveLength(TRIALS);
          const phases = tpe.map((t) => (JSON.parse(t.state) as { phase: string }).phase);
          // The startup draws are random search's draws of the same seed; after them TPE models.
          expect(phases.slice(0, 3)).toEqual(['startup', 'startup', 'startup']);
          expect(tpe.slice(0, 3).map((t) => t.params)).toEqual(random.slice(0, 3).map((t) => t.params));
          expect(phases.filter((p) => p === 'tpe').length).toBeGreaterThanOrEqual(5);
        }
      }
    } finally {
      sqlite.close();
    }

    // The leaderboard of a TPE run shows each trial's phase.
    const board = await runCli(['leaderboard', 'ramp-tpe.compare.tpe.asha.s7', '--db', db, '--all', '--top', '12']);
    expect(board.code).toBe(0);
    expect(board.stdout.split('\n')[0]).toMatch(/^rank\s+#\s+state\s+sampler\s+val_accuracy/);
    expect(board.stdout).toMatch(/ startup /);
    expect(board.stdout).toMatch(/ tpe /);
  });

  it('with --samplers, prints a sampler column and names the reference with its sampler', async () => {
    const dir = tempDir();
    const result = await runCli(['compare', SPACE, '--samplers', 'random,tpe', '--pruners', 'none', '--workers', '1', '--db', join(dir, 'table.db')]);
    expect(result.stderr).not.toMatch(/unexpected error/);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^sampler\s+strategy\s+best val_accuracy\s+steps\/seed\s+vs random none\s+wall time\s+pruned\s+stopped early\s+steps to reach\s+reached\s+target$/);
    expect(lines[2]).toMatch(/^random\s+none\s+[0-9.]+ ± 0\s+108\s+100%\s+.*\s+1\/1\s+-$/);
    expect(lines[3]).toMatch(/^tpe\s+none\s+[0-9.]+ ± 0\s+108\s+100%\s+.*\s+[01]\/1\s+(met|missed) [01]\/1$/);
    expect(result.stdout).toMatch(/within 0\.01 of the same seed's random none best/);
    // A random file gets TPE's defaults.
    const sqlite = new Database(join(dir, 'table.db'), { readonly: true });
    try {
      const { space } = sqlite.prepare('SELECT space_json AS space FROM studies WHERE name = ?').get('ramp.compare.tpe.none.s7') as { space: string };
      expect((JSON.parse(space) as { search: unknown }).search).toMatchObject({ strategy: 'tpe', trials: TRIALS, startup_trials: 10, multivariate: false });
    } finally {
      sqlite.close();
    }
  });

  it('refuses samplers that cannot be compared, and --samplers on a narrowing space, with exit code 2 and nothing written', async () => {
    const dir = tempDir();
    const db = join(dir, 'never.db');
    const grid = await runCli(['compare', SPACE, '--samplers', 'random,grid', '--db', db]);
    expect(grid.code).toBe(2);
    expect(grid.stderr).toMatch(/--samplers: grid cannot be compared; only random and tpe can take one another's place: .*narrowing sets its budget in rounds/);
    const typo = await runCli(['compare', SPACE, '--samplers', 'random,tep', '--db', db]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/unknown sampler "tep"; did you mean "tpe"\?/);
    const narrowing = await runCli(['compare', join(REPO, 'test', 'fixtures', 'spaces', 'report-narrowing.yaml'), '--samplers', 'random,tpe', '--pruners', 'none,median', '--db', db]);
    expect(narrowing.code).toBe(2);
    expect(narrowing.stderr).toMatch(/--samplers: the space uses narrowing search, so no other sampler can run it/);
    expect(existsSync(db)).toBe(false);
  });

  it('refuses unknown strategies with a suggestion and bad counts, with exit code 2 and nothing written', async () => {
    const dir = tempDir();
    const db = join(dir, 'never.db');
    const typo = await runCli(['compare', SPACE, '--pruners', 'none,ashaa', '--db', db]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/unknown pruning strategy "ashaa"; did you mean "asha"\?/);
    const twice = await runCli(['compare', SPACE, '--pruners', 'asha,successive_halving', '--db', db]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/twice/);
    const seeds = await runCli(['compare', SPACE, '--seeds', '0', '--db', db]);
    expect(seeds.code).toBe(2);
    expect(seeds.stderr).toMatch(/positive integer/);
    expect(existsSync(db)).toBe(false);

    const help = await runCli(['compare', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Examples:\n  \$ hpsearch compare /);
  });

  it('on Ctrl-C after the first run, stops, summarises the finished run, exits 130 and leaves no trial running', async () => {
    const dir = tempDir();
    // The same study, its trials held after their first step until a file named after their study
    // exists (objectives/ramp.mjs): the first run's is there from the start; the second run's
    // appears only once it has taken the signal, so it is surely still going when the signal lands.
    const holds = join(dir, 'holds');
    mkdirSync(holds);
    writeFileSync(join(holds, 'ramp.compare.none.s7'), '');
    const held = readFileSync(SPACE, 'utf8')
      .replace('module: ../objectives/ramp.mjs', `module: ${JSON.stringify(join(OBJECTIVES, 'ramp.mjs'))}`)
      .replace('  epochs: 9', `  epochs: 9\n  hold: ${JSON.stringify(join(holds, '{study}'))}`);
    expect(held).toContain('hold: ');
    const space = join(dir, 'held.yaml');
    writeFileSync(space, held);
    const db = join(dir, 'compare.db');
    let released = false;
    const result = await runCli(['compare', space, '--pruners', 'none,asha', '--workers', '2', '--db', db, '--format', 'json'], {
      signalWhen: { pattern: /\[1\/2\] none seed 7:/, signal: 'SIGINT' },
      onStderr: (stderr) => {
        if (released || !/SIGINT: no new trials or runs/.test(stderr)) return;
        released = true;
        writeFileSync(join(holds, 'ramp.compare.asha.s7'), '');
      },
    });
    expect(result.stderr).not.toMatch(/unexpected error/);
    expect(result.code).toBe(130);
    expect(result.stderr).toMatch(/SIGINT: no new trials or runs/);
    expect(result.stderr).toMatch(/interrupted; the summary covers the 1 run that finished/);
    const doc = JSON.parse(result.stdout) as CompareJson & { interrupted: boolean };
    expect(doc.interrupted).toBe(true);
    expect(doc.strategies.map((s) => s.strategy)).toEqual(['none']);
    expect(doc.strategies[0]!.seeds[0]).toMatchObject({ trials: TRIALS, steps_trained: TRIALS * STEPS });

    const sqlite = new Database(db, { readonly: true });
    try {
      const states = sqlite
        .prepare('SELECT s.name AS study, t.state, COUNT(*) AS n FROM trials t JOIN studies s ON s.id = t.study_id GROUP BY s.name, t.state')
        .all() as { study: string; state: string; n: number }[];
      expect(states.filter((r) => r.study === 'ramp.compare.none.s7')).toEqual([{ study: 'ramp.compare.none.s7', state: 'complete', n: TRIALS }]);
      // The interrupted run let its running trials finish: nothing is left running, and it did not spend its budget.
      const asha = states.filter((r) => r.study === 'ramp.compare.asha.s7');
      expect(asha.some((r) => r.state === 'running')).toBe(false);
      expect(asha.reduce((sum, r) => sum + r.n, 0)).toBeLessThan(TRIALS);
      expect((sqlite.pragma('integrity_check') as { integrity_check: string }[])[0]!.integrity_check).toBe('ok');
    } finally {
      sqlite.close();
    }
  });
});
