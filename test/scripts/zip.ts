import { execFileSync } from 'node:child_process';

/** Writes a zip of `files` (name → text) with python3's zipfile: a wheel of our own making. */
export function makeZip(file: string, files: Record<string, string>): void {
  const program = 'import json, sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:\n    for name, text in json.load(sys.stdin).items(): z.writestr(name, text)';
  execFileSync('python3', ['-c', program, file], { input: JSON.stringify(files) });
}
