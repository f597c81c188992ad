import type { Command } from 'commander';
import { addStorageOptions, storageLocation, type StorageFlags } from '../storage-option.js';
import { InvalidArgumentError } from 'commander';
import { openExistingStorage, positiveInt } from '../options.js';
import { paramPair } from './report.js';

interface ServeCommandOptions extends StorageFlags {
  host: string;
  port: number;
  scatter?: [string, string];
  curves: number;
}

export function registerServe(program: Command): Command {
  return addStorageOptions(program.command('serve'))
    .description("serve the report's views over HTTP, live: pages redraw as a running study adds trials")
    .option('--host <address>', 'address to listen on; anything but loopback lets other machines read your studies', '127.0.0.1')
    .option('--port <n>', 'port to listen on (0: any free port)', port, 8421)
    .option('--scatter <x,y>', 'the two params of the scatter', paramPair)
    .option('--curves <n>', 'how many trials get a learning-curve chart', positiveInt, 20)
    .addHelpText(
      'after',
      `
Examples:
  $ hpsearch serve                       # http://127.0.0.1:8421/ lists the studies in runs/hpsearch.db
  $ hpsearch run search-spaces/best5.yaml & hpsearch serve --port 9000
  $ hpsearch serve --db runs/compare/early-stopping.db --port 0

Pages poll every 2 s and redraw when the study has changed. Stop with Ctrl-C.`,
    )
    .action(async (options: ServeCommandOptions) => {
      const storage = await openExistingStorage(storageLocation(options));
      const { startReportServer } = await import('../../report/serve.js');
      const server = await startReportServer(storage, {
        host: options.host,
        port: options.port,
        scatter: options.scatter ?? null,
        curveTrials: options.curves,
      }).catch(async (error: unknown) => {
        await storage.close();
        throw error;
      });
      if (!['127.0.0.1', 'localhost', '::1'].includes(options.host)) {
        process.stderr.write(`hpsearch: warning: listening on ${options.host}: anyone who can reach this machine can read the studies in ${storage.location}\n`);
      }
      process.stderr.write(`hpsearch: serving ${storage.location} at ${server.url} (Ctrl-C to stop)\n`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await server.close();
      await storage.close();
    });
}

function port(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > 65535) throw new InvalidArgumentError(`expected a port from 0 to 65535, got "${value}"`);
  return n;
}
