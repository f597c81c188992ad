// Space files name objective kinds: register the built-in ones.
import '../../objectives/builtin.js';
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { stringify } from 'yaml';
import { HpsearchError } from '../../errors.js';
import { narrowParams } from '../../samplers/narrow-params.js';
import { withoutUnreachable } from '../../space/check-conditions.js';
import type { ParamConditions, ParamSpec, ParamSpecs } from '../../space/types.js';
import type { Storage } from '../../storage/storage.js';
import { loadStudyFrom } from '../../study/create.js';
import { printOut } from '../options.js';

export async function narrowStudyCommand(
  storage: Storage,
  name: string,
  options: { top: number; margin: number; out?: string; study?: string },
): Promise<void> {
  const study = await loadStudyFrom(storage, name);
  const top = await study.leaderboard({ top: options.top });
  if (top.length === 0) {
    throw new HpsearchError('E_USAGE', `study "${name}" has no complete trials to narrow to; run it first`);
  }
  // A parent narrowed to fewer values may no longer take those a child exists for: such children go.
  const grid = study.space.search.strategy === 'grid';
  const { specs: narrowed, dropped } = withoutUnreachable(narrowParams(study.space.params, top.map((row) => row.params), options.margin), grid);
  const record = await storage.getStudy(name);
  const document = structuredClone(record!.space) as Record<string, unknown>;
  document['study'] = options.study ?? `${name}-narrowed`;
  document['params'] = paramsDocument(narrowed);
  // Its enqueued trials ran in this study; the narrowed one samples its own (and they may lie outside the new ranges).
  const search = document['search'] as Record<string, unknown> | undefined;
  if (search) delete search['enqueue'];
  const outDir = options.out ? dirname(resolve(options.out)) : process.cwd();
  const objective = document['objective'] as Record<string, unknown> | undefined;
  const module = study.space.objective.module;
  if (objective && module) {
    // The module path is relative to the space file: re-anchor it at the new file's folder.
    const rel = relative(outDir, module);
    objective['module'] = isAbsolute(rel) ? rel : rel.startsWith('.') ? rel : `./${rel}`;
  }
  const header =
    `# Narrowed from study "${name}" (${storage.location}): ranges span its best ${top.length} complete trials,\n` +
    `# widened by a margin of ${options.margin}; a conditional param over the best trials where it was active.\n` +
    dropped.map((d) => `# Dropped ${d.name}: ${d.reason} among the best trials, so it would never exist.\n`).join('') +
    `# Written by \`hpsearch narrow\` on ${new Date().toISOString()}.\n`;
  const text = header + stringify(document);
  if (options.out) {
    mkdirSync(outDir, { recursive: true });
    writeFileSync(options.out, text);
    process.stderr.write(`hpsearch: wrote ${options.out}; run it with: hpsearch run ${options.out}\n`);
  } else {
    printOut(text);
  }
}

/** `when:` as a space file writes it: a list of values, or `{ min, max }`. */
function whenDocument(when: ParamConditions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [parent, clause] of Object.entries(when)) {
    out[parent] = clause.kind === 'in' ? [...clause.values] : { ...(clause.min !== undefined ? { min: clause.min } : {}), ...(clause.max !== undefined ? { max: clause.max } : {}) };
  }
  return out;
}

/** The params section as a space file writes it (fixed values as plain scalars). */
function paramsDocument(params: ParamSpecs): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(params)) out[name] = paramDocument(spec);
  return out;
}

function paramDocument(spec: ParamSpec): unknown {
  const when = spec.when === undefined ? {} : { when: whenDocument(spec.when) };
  switch (spec.type) {
    case 'fixed':
      return spec.when === undefined ? spec.value : { type: 'fixed', value: spec.value, ...when };
    case 'categorical':
      return { type: 'categorical', choices: spec.choices, ...when };
    case 'float':
    case 'int': {
      const doc: Record<string, unknown> = { type: spec.type, low: spec.low, high: spec.high };
      if (spec.log) doc['log'] = true;
      if (spec.step !== undefined && !(spec.type === 'int' && spec.step === 1)) doc['step'] = spec.step;
      if (spec.values !== undefined) doc['values'] = spec.values;
      if (spec.grid !== undefined) doc['grid'] = spec.grid;
      return { ...doc, ...when };
    }
  }
}
