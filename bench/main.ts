/**
 * `npm run bench`: speed targets are measured here, never in timed tests (the machines are
 * shared and noisy). Prints a table and writes runs/bench/results.json. Each case is one file
 * in bench/cases/; later features add theirs to CASES.
 */
import { join } from 'node:path';
import { engineOverhead } from './cases/engine-overhead.js';
import { leaderboardLatency } from './cases/leaderboard-latency.js';
import { best5Training } from './cases/best5-training.js';
import { comparePruners } from './cases/compare-pruners.js';
import { reportWriting } from './cases/report.js';
import { postgresStorage } from './cases/postgres.js';
import { nativeBackends } from './cases/native-backends.js';
import { tpeSynthetic } from './cases/tpe-synthetic.js';
import { tpeSamplerCost } from './cases/tpe-sampler-cost.js';
import { modelsBench } from './cases/models.js';
import { tpeBest5 } from './cases/tpe-best5.js';
import { conditionalCost } from './cases/conditional.js';
import { packedStudy } from './cases/packed-study.js';
import { packSpeed } from './cases/pack-speed.js';
import { printRows, writeResults, type BenchRow } from './report.js';

const CASES: Record<string, () => Promise<BenchRow[]>> = {
  'engine-overhead': engineOverhead,
  'leaderboard-latency': leaderboardLatency,
  'best5-training': best5Training,
  'compare-pruners': comparePruners,
  report: reportWriting,
  postgres: postgresStorage,
  'native-backends': nativeBackends,
  // Issue 15's targets: the two cheap ones together (a few minutes), the real task on its own.
  tpe: async () => [...(await tpeSynthetic()), ...(await tpeSamplerCost())],
  'tpe-best5': tpeBest5,
  // Issue 17: what keeping models costs, their sizes, the export.
  models: modelsBench,
  // Issue 16: what conditional params (when:) cost each sampler, against the same params without.
  conditional: conditionalCost,
  // Issue 18: trials of one shape trained as one batched computation on native TensorFlow.
  // The whole 100-trial study on each; then seconds per trial and memory by pack size.
  pack: async () => [...(await packedStudy()), ...(await packSpeed())],
};

const only = process.argv.slice(2);
const rows: BenchRow[] = [];
for (const [name, run] of Object.entries(CASES)) {
  if (only.length > 0 && !only.includes(name)) continue;
  process.stderr.write(`bench: ${name}...\n`);
  rows.push(...(await run()));
}
printRows(rows);
const out = join(import.meta.dirname, '..', 'runs', 'bench', 'results.json');
writeResults(out, rows);
console.log(`\nwrote ${out}`);
