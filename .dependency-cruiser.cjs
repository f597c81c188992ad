/**
 * The layers of src/, bottom to top, and the rule that keeps them so: a module may import its own
 * layer and the ones below it, never one above, and no import cycle at all (type-only imports
 * included: a cycle means a type lives in the wrong file). `npm test` runs this check
 * (`npm run layers`). Where a lower layer needs something from a higher one, the higher one
 * registers it (objective kinds, the run loop), as samplers and pruners do.
 */
const LAYERS = [
  ['helpers', 'errors, random streams, number formatting, trial states, pause, compiled worker modules', ['^src/errors\\.ts$', '^src/random/', '^src/format/', '^src/trial-state\\.ts$', '^src/pause\\.ts$', '^src/compiled-module\\.ts$']],
  ['space', 'the space-file format', ['^src/space/']],
  ['algorithms', 'samplers, pruners, stopping rules', ['^src/samplers/', '^src/pruners/', '^src/stopping/']],
  ['storage', 'the storage contract, SQLite and PostgreSQL', ['^src/storage/']],
  ['study', 'ask / tell', ['^src/study/']],
  ['objectives', 'module objectives and the built-in task', ['^src/objectives/', '^src/task/']],
  ['engine', 'the run loop and the worker threads', ['^src/engine/', '^src/worker/']],
  ['report-compare', 'reports and early-stopping comparisons', ['^src/report/', '^src/compare/']],
  ['cli', 'the CLI and the public entry points (hpsearch, hpsearch/tfjs)', ['^src/cli/', '^src/index\\.ts$', '^src/tfjs/']],
];

const forbidden = [
  {
    name: 'no-circular',
    comment: 'An import cycle (type-only ones too): move the shared type down to the lower module.',
    severity: 'error',
    from: { path: '^src/' },
    to: { circular: true },
  },
  {
    name: 'engine-knows-no-task',
    comment: 'The run loop and the workers reach the built-in task only through the objective-kind registry (src/space/objective-kind.ts).',
    severity: 'error',
    from: { path: ['^src/engine/', '^src/worker/'] },
    to: { path: '^src/task/' },
  },
  {
    name: 'no-unlayered-module',
    comment: 'Every module of src/ belongs to a layer: add its folder to LAYERS in .dependency-cruiser.cjs.',
    severity: 'error',
    from: { path: '^src/', pathNot: LAYERS.flatMap(([, , paths]) => paths) },
    to: {},
  },
];
LAYERS.forEach(([name, what, paths], index) => {
  const above = LAYERS.slice(index + 1);
  if (above.length === 0) return;
  forbidden.push({
    name: `${name}-imports-up`,
    comment: `The ${name} layer (${what}) imports a higher layer (${above.map(([n]) => n).join(', ')}): register it from above instead, or move the shared part down.`,
    severity: 'error',
    from: { path: paths },
    to: { path: above.flatMap(([, , p]) => p) },
  });
});

module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
