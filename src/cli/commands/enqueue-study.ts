// Stored spaces name objective kinds: register the built-in ones.
import '../../objectives/builtin.js';
import { HpsearchError } from '../../errors.js';
import { formatParamValue } from '../../format/numbers.js';
import { isMapping } from '../../space/schema.js';
import { enqueuedParams } from '../../space/enqueue.js';
import type { Storage } from '../../storage/storage.js';
import { loadStudyFrom } from '../../study/create.js';
import { printOut } from '../options.js';
import { storageFlag, storageLocation, type StorageFlags } from '../storage-option.js';

export interface EnqueueOptions extends StorageFlags {
  /** Each `--params` as given: JSON text, parsed here so a bad one is E_USAGE naming its place. */
  params: string[];
  format: 'table' | 'json';
}

/** `hpsearch enqueue`: checks every --params against the study's space, then queues them through `study.enqueue`. */
export async function enqueueCommand(storage: Storage, name: string, options: EnqueueOptions): Promise<void> {
  const study = await loadStudyFrom(storage, name);
  const several = options.params.length > 1;
  const example = `'{"${Object.keys(study.space.params)[0] ?? 'learning_rate'}": 0.01}'`;
  // All of them checked before any is queued, each named by its place on the command line.
  const given = options.params.map((text, i) => {
    const what = several ? `--params ${i + 1}` : '--params';
    return enqueuedParams(parseParams(text, what, example), study.space.params, several ? what : undefined);
  });
  const queued = await study.enqueue(given);
  if (options.format === 'json') {
    printOut(JSON.stringify(queued.map((trial) => ({ number: trial.number, params: trial.params })), null, 2));
  } else {
    const lines = queued.map((trial) => {
      const values = Object.entries(trial.params).map(([param, value]) => `${param} ${formatParamValue(value)}`);
      const drawn = Object.keys(study.space.params).filter((param) => !Object.hasOwn(trial.params, param) && study.space.params[param]?.type !== 'fixed');
      return `queued trial ${trial.number}: ${values.join(', ') || 'no params given'}${drawn.length > 0 ? ` (sampled when it runs: ${drawn.join(', ')})` : ''}`;
    });
    printOut(lines.join('\n'));
  }
  const held = Object.values(await study.counts()).reduce((a, b) => a + b, 0);
  const file = (await storage.getStudy(study.name))?.spaceFile ?? '<space-file>';
  process.stderr.write(`hpsearch: note: ${whenTheyRun(study.name, file, held, study.space.search.trials, storageFlag(storageLocation(options)))}\n`);
}

/** One --params: a JSON object, else E_USAGE saying what is wrong with it (`example` shows one). */
function parseParams(text: string, what: string, example: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new HpsearchError(
      'E_USAGE',
      `${what} is not valid JSON (${(error as Error).message}): give one object in single quotes, e.g. --params ${example}`,
    );
  }
  if (!isMapping(value)) {
    const got = Array.isArray(value) ? 'a list (give one --params per trial)' : JSON.stringify(value);
    throw new HpsearchError('E_USAGE', `${what} must be a JSON object of param name to value, e.g. ${example}, got ${got}`);
  }
  return value;
}

/**
 * How the queued trials get to run: they are claimed before any new draw, by the next run (or
 * one going on); once the study holds more trials than its budget, only by a run told a larger
 * --trials, since a run stops when the study holds its budget.
 */
function whenTheyRun(name: string, file: string, held: number, budget: number, flag: string): string {
  if (held <= budget) {
    return `study "${name}" holds ${held} of its ${budget} trials; the queued ones run before any new draw, at its next run: hpsearch run ${file} --resume${flag} (or hpsearch worker ${name}${flag})`;
  }
  return (
    `study "${name}" now holds ${held} trials, more than its budget of ${budget}, and a run stops at the budget: ` +
    `run it with --trials ${held} to run the queued ones (hpsearch run ${file} --resume --trials ${held}${flag}, or hpsearch worker ${name} --trials ${held}${flag})`
  );
}
