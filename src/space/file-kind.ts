import { statSync } from 'node:fs';

/** What is at a path: a file, a folder, or nothing (also when no file can have that path). */
export function fileKind(file: string): 'file' | 'directory' | 'missing' {
  let stat;
  try {
    stat = statSync(file, { throwIfNoEntry: false });
  } catch {
    // No file can have this path: a NUL byte in it, a name too long, a file used as a folder.
    return 'missing';
  }
  if (stat === undefined) return 'missing';
  return stat.isDirectory() ? 'directory' : 'file';
}
