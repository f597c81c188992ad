import type { Command } from 'commander';
import { addStorageOptions, storageLocation, type StorageFlags } from '../storage-option.js';
import { InvalidArgumentError } from 'commander';
import { allowedHostName } from '../../report/allowed-hosts.js';
import { openExistingStorage, positiveInt } from '../options.js';
import { paramPair } from './report.js';

interface ServeCommandOptions extends StorageFlags {
  host: string;
  port: number;
  allowHost?: string[];
  scatter?: [string, string];
  curves: number;
}

export function registerServe(program: Command): Command {
  return addStorageOptions(program.command('serve'))
    .description("serve the report's views over HTTP, live: pages redraw as a running study adds trials")
    .option('--host <address>', 'address to listen on; anything but loopback lets other machines read your studies', '127.0.0.1')
    .option('--port <n>', 'port to listen on (0: any free port)', port, 8421)
    .option('--allow-host <name>', 'also answer requests whose Host is this name, e.g. a hosts-file entry (repeatable; see below)', allowHost)
    .option('--scatter <x,y>', 'the two params of the scatter', paramPair)
    .option('--curves <n>', 'how many trials get a learning-curve chart', positiveInt, 20)
    .addHelpText(
      'after',
      `
Examples:
  $ hpsearch serve                       # http://127.0.0.1:8421/ lists the studies in runs/hpsearch.db
  $ hpsearch run search-spaces/best5.yaml & hpsearch serve --port 9000
  $ hpsearch serve --db runs/compare/early-stopping.db --port 0
  $ hpsearch serve --allow-host hpsearch.test     # also answers http://hpsearch.test:8421/ (a hosts-file name)
  $ hpsearch serve --host 0.0.0.0 --allow-host box.lan   # other machines, by IP address or as box.lan

Pages poll every 2 s and redraw when the study has changed. Stop with Ctrl-C.

Only requests whose Host header names the bound address, localhost (or, bound to 0.0.0.0, any IP
address) or a name given with --allow-host are answered, whatever the port; others, and requests
without a Host header, get 403. So a web page cannot read your studies by pointing its own name at
127.0.0.1 (DNS rebinding).`,
    )
    .action(async (options: ServeCommandOptions) => {
      const storage = await openExistingStorage(storageLocation(options));
      const { startReportServer } = await import('../../report/serve.js');
      const server = await startReportServer(storage, {
        host: options.host,
        port: options.port,
        allowedHosts: options.allowHost ?? [],
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

function allowHost(value: string, previous: string[] | undefined): string[] {
  try {
    allowedHostName(value, '--allow-host');
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
  return [...(previous ?? []), value];
}
