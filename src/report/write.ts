import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { HpsearchError } from '../errors.js';
import type { Storage } from '../storage/storage.js';
import { collectReportData, type CollectOptions } from './collect.js';
import { renderPage } from './html/page.js';
import { buildPayload } from './payload.js';

/** Where a study's report goes without --out: runs/<study>/report.html (relative to the working folder). */
export function defaultReportPath(study: string): string {
  if (study === '' || study === '.' || study === '..' || /[/\\\0]/.test(study)) {
    throw new HpsearchError(
      'E_USAGE',
      `study name "${study}" cannot name a folder under runs/: give the report's path with --out FILE`,
    );
  }
  return join('runs', study, 'report.html');
}

export interface WriteReportOptions extends CollectOptions {
  /** Default: defaultReportPath(study). */
  out?: string;
}

export interface WrittenReport {
  path: string;
  bytes: number;
  trials: number;
}

/** Writes the study's self-contained HTML report; a temporary file renamed into place, so a reader never sees half of it. */
export async function writeReport(storage: Storage, study: string, options: WriteReportOptions = {}): Promise<WrittenReport> {
  const path = options.out ?? defaultReportPath(study);
  const data = await collectReportData(storage, study, options);
  const html = renderPage(buildPayload(data));
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, html);
  renameSync(temporary, path);
  return { path, bytes: Buffer.byteLength(html), trials: data.trials.length };
}
