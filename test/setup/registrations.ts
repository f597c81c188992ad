// What hpsearch's entry point registers as it loads (src/index.ts), for tests that import modules
// below it directly: the built-in objective kinds (space files name them) and the run loop
// behind study.optimize().
import '../../src/objectives/builtin.js';
import '../../src/engine/optimize.js';
