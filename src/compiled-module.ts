import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { HpsearchError } from './errors.js';

/**
 * A module for a worker thread to load, by URL: the same file in dist/ when hpsearch itself runs
 * from src/ as TypeScript (under vitest), since a worker thread cannot load TypeScript.
 */
export function compiledModule(url: string): string {
  let found = compiled.get(url);
  if (found === undefined) {
    found = findCompiled(url);
    compiled.set(url, found);
  }
  return found;
}

const compiled = new Map<string, string>();

function findCompiled(url: string): string {
  let file = fileURLToPath(url);
  if (!existsSync(file) && existsSync(file.replace(/\.js$/, '.ts'))) {
    // The last src/ folder of the path: the package's own.
    file = file.replace(/([\\/])src([\\/])(?!.*[\\/]src[\\/])/, '$1dist$2');
  }
  if (!existsSync(file)) {
    throw new HpsearchError('E_WORKER', `worker module not found at ${file}: run \`npm run build\` first`);
  }
  return pathToFileURL(file).href;
}
