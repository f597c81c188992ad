import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

/** The src files a file imports (relative imports only), as paths relative to src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(SRC, file), 'utf8');
  return [...text.matchAll(/^(?:import|export)[^'"]*from '(\.[^']+)'/gm)].map((m) => relative(SRC, resolve(dirname(join(SRC, file)), m[1]!)));
}

describe('samplers and trial states stay below storage and study', () => {
  it('trial-state.ts imports only pure helpers', () => {
    expect(importsOf('trial-state.ts').filter((f) => f !== 'errors.js')).toEqual([]);
  });

  it('samplers import only the space format, pure helpers and each other', () => {
    const files = readdirSync(join(SRC, 'samplers')).filter((f) => f.endsWith('.ts')).map((f) => `samplers/${f}`);
    const allowed = (f: string) => f.startsWith('samplers/') || f.startsWith('space/') || f === 'errors.js' || f === 'trial-state.js';
    expect(files.flatMap((file) => importsOf(file).filter((f) => !allowed(f)).map((f) => `${file} imports ${f}`))).toEqual([]);
  });
});
