/**
 * The built-in objective kinds, `module` and `task`, registered with the space format and the run
 * loop as this module loads: importing it is enough, and doing so again is harmless. hpsearch's
 * entry point and the CLI commands that read space files import it.
 */
import { registerObjectiveKind, type ObjectiveKind } from '../space/objective-kind.js';
import { taskObjectiveKind } from '../task/kind.js';
import { moduleObjectiveKind } from './module/kind.js';

export const BUILTIN_OBJECTIVE_KINDS: readonly ObjectiveKind[] = [
  moduleObjectiveKind,
  taskObjectiveKind,
];

for (const kind of BUILTIN_OBJECTIVE_KINDS) registerObjectiveKind(kind);
