/**
 * The thread of a module probe (probe-module.ts): loads the objective module as a trial's worker
 * would (the same `loadObjective`, so both accept the same modules) and says how it went.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadObjective } from './load-objective.js';
import type { ProbeData, ProbeResult } from './probe-messages.js';

// No native addon is loaded here: the tfjs-node addon may be loaded by one thread of a process
// only, and that must be a trial's worker. Every addon (`require` of a .node file) comes through
// process.dlopen; a module that needs one is left to its trials to judge.
let addon: string | undefined;
process.dlopen = (_module: object, filename: string) => {
  addon ??= filename;
  throw new Error(`hpsearch's module probe loads no native addon (${filename})`);
};

const { module } = workerData as ProbeData;
const answer = (result: ProbeResult) => parentPort!.postMessage(addon !== undefined ? { outcome: 'native-addon', addon } : result);
loadObjective(module).then(
  () => answer({ outcome: 'loaded' }),
  (error: unknown) => answer({ outcome: 'refused', reason: error instanceof Error ? error.message : String(error) }),
);
