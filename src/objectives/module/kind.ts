/**
 * The `module` objective kind: a JS module whose default export is the objective, run in worker
 * threads. The space gives its path; the module itself is loaded only in worker threads (the
 * trials', and a probe's that checks it loads before a study is created).
 */
import path from 'node:path';
import * as z from 'zod';
import { fileKind } from '../../space/file-kind.js';
import type { ObjectiveKind } from '../../space/objective-kind.js';
import { probeObjectiveModule } from './probe-module.js';

declare module '../../space/types.js' {
  interface ObjectiveSpecs {
    /** Absolute path of a JS module whose default export is the objective. */
    module: string;
  }
}

declare module '../../space/objective-kind.js' {
  interface ObjectiveSources {
    module: { module: string };
  }
}

/** What a module objective's worker job carries. */
export interface ModuleJobData {
  module: string;
  /** Whether the run keeps models (`ctx.saveModel` sends one). */
  saveModels: boolean;
}

export const moduleObjectiveKind: ObjectiveKind<string> = {
  name: 'module',
  schema: z.string().min(1),
  description: 'JS module (relative to this file) whose default export returns the value.',
  nested: false,
  defaultMetric: 'value',

  check(objective, options, issues) {
    const value = objective['module'];
    // Its type is reported by the field checks.
    if (typeof value !== 'string' || value === '') return undefined;
    const module = path.resolve(options.baseDir, value);
    const kind = options.checkFiles ? fileKind(module) : 'file';
    if (kind !== 'file') {
      const problem = kind === 'missing' ? 'module file not found' : 'module path is a directory, not a file';
      issues.push({ path: ['objective', 'module'], message: `${problem}: ${module} (module paths are relative to the search-space file's folder)` });
      return undefined;
    }
    return module;
  },

  probe: (module) => probeObjectiveModule(module),

  // A module reports whatever steps it likes: only a pruner's max_resource says how many.
  plannedSteps: () => null,

  workerJob(module, _trial, run): { runner: string; data: ModuleJobData } {
    return { runner: new URL('./run-trial.js', import.meta.url).href, data: { module, saveModels: run.saveModels } };
  },
};
