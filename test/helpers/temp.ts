import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach } from 'vitest';

export const REPO = resolve(import.meta.dirname, '..', '..');
export const CLI = join(REPO, 'dist', 'cli', 'main.js');
export const OBJECTIVES = join(REPO, 'test', 'fixtures', 'objectives');

/** A fresh temporary folder per test, removed after it. */
export function useTempDir(): () => string {
  let dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    dirs = [];
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), 'hpsearch-test-'));
    dirs.push(dir);
    return dir;
  };
}
