import type { Storage } from '../storage/storage.js';
import type { ReportServer, ServeOptions } from './serve.js';
import type { WriteReportOptions, WrittenReport } from './write.js';

// The public entry points of the report. They load the chart compiler (Vega-Lite, about 100 ms
// to import) on first use, so `import 'hpsearch'` stays quick for code that never reports.

/** Writes a study's self-contained HTML report (default runs/<study>/report.html). */
export async function writeReport(storage: Storage, study: string, options: WriteReportOptions = {}): Promise<WrittenReport> {
  const { writeReport: write } = await import('./write.js');
  return write(storage, study, options);
}

/** Serves the report's views live over HTTP (127.0.0.1 unless `host` says otherwise). */
export async function startReportServer(storage: Storage, options: ServeOptions = {}): Promise<ReportServer> {
  const { startReportServer: start } = await import('./serve.js');
  return start(storage, options);
}
