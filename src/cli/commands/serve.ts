/**
 * `kairos serve`: service mode — the HTTP API on a store, delivering every queue that has a target. On SIGTERM or
 * SIGINT it stops accepting requests, lets running deliveries finish within the bound and exits 0.
 */
import type { Command } from 'commander';
import { EXIT } from '../exit-codes.js';
import type { Output } from '../output.js';
import { parseInteger, withStore } from '../options.js';

interface ServeFlags {
  store: string;
  host: string;
  port: number;
  shutdownTimeoutMs?: number;
  bodyLimitBytes?: number;
  allowHosts?: string;
}

export function registerServe(program: Command, out: Output): void {
  withStore(program.command('serve'))
    .description('run the HTTP API and deliver queues to their targets until SIGTERM/SIGINT')
    .option('--host <host>', 'address to listen on (KAIROS_HOST; default 127.0.0.1, this machine only)', process.env.KAIROS_HOST ?? '127.0.0.1')
    .option('--port <n>', 'port to listen on (KAIROS_PORT; default 8080; 0 picks a free one)', parseInteger, process.env.KAIROS_PORT === undefined ? 8080 : Number(process.env.KAIROS_PORT))
    .option('--shutdown-timeout-ms <n>', 'how long running deliveries may finish after a signal (default 30000)', parseInteger)
    .option('--body-limit-bytes <n>', 'largest request body; larger ones get 413 (default 2097152)', parseInteger)
    .option('--allow-hosts <list>', 'webhook hosts let through the SSRF guard although private or loopback, comma-separated (KAIROS_ALLOW_HOSTS); for local development', process.env.KAIROS_ALLOW_HOSTS)
    .action((flags: ServeFlags) => serve(flags, out));
}

async function serve(flags: ServeFlags, out: Output): Promise<void> {
  // Listen for signals before starting, so one that comes during start-up still shuts down gracefully.
  const signal = new Promise<NodeJS.Signals>((resolve) => {
    let seen = false;
    const handler = (received: NodeJS.Signals): void => {
      if (seen) {
        out.log('kairos serve: second signal; exiting now');
        process.exit(EXIT.interrupted);
      }
      seen = true;
      resolve(received);
    };
    process.on('SIGTERM', handler);
    process.on('SIGINT', handler);
  });
  // Loaded here, not at the top: the server's modules (Fastify, undici, brokers) would slow every other command's start.
  const { startService } = await import('../../service/serve.js');
  const service = await startService({
    store: flags.store, host: flags.host, port: flags.port, shutdownTimeoutMs: flags.shutdownTimeoutMs, bodyLimitBytes: flags.bodyLimitBytes,
    allowHosts: flags.allowHosts?.split(',').map((h) => h.trim()).filter((h) => h !== ''),
    announce: (text) => out.log(text),
  });
  out.log(`kairos serve: listening on ${service.url} (store ${flags.store})`);
  const received = await signal;
  out.log(`kairos serve: ${received}; no new requests, running deliveries may finish`);
  await service.close();
  out.log('kairos serve: stopped');
}
