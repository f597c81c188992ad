// Space files name objective kinds: register the built-in ones.
import '../../objectives/builtin.js';
import { existsSync } from 'node:fs';
import { HpsearchError } from '../../errors.js';
import { checkBackendInstalled } from '../../task/native-backend.js';
import { loadStudyFrom } from '../../study/create.js';
import { storageFlag, storageLocation } from '../storage-option.js';
import { runOnStorage, type RunLoopOptions } from './run-study.js';

/** `hpsearch worker <study>`: the study as stored, run from this host; returns the exit code. */
export async function workerCommand(name: string, options: RunLoopOptions): Promise<number> {
  return runOnStorage(options, async (storage) => {
    const study = await loadStudyFrom(storage, name);
    const { task, module } = study.space.objective;
    if (task) checkBackendInstalled(options.backend);
    else if (module === undefined) {
      throw new HpsearchError('E_USAGE', `study "${name}" was created in code with a function objective; only its own program can run its trials`);
    } else if (!existsSync(module)) {
      throw new HpsearchError(
        'E_USAGE',
        `the objective module of study "${name}", ${module}, is not on this host: put the same file at that path, then start the worker again`,
      );
    }
    return { study, verb: 'joining', again: `hpsearch worker ${name}${storageFlag(storageLocation(options))}` };
  });
}
