/**
 * The `kairos` program: its commands, the help text with the exit codes, and runCli(), which turns whatever a
 * command throws into an exit code (exit-codes.ts) and an error report (output.ts).
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerCalendars } from './commands/calendars.js';
import { registerEnqueue } from './commands/enqueue.js';
import { registerJobs } from './commands/jobs.js';
import { registerKeys } from './commands/keys.js';
import { registerLimiters } from './commands/limiters.js';
import { registerMaintenance } from './commands/maintenance.js';
import { registerMigrate } from './commands/migrate.js';
import { registerQueues } from './commands/queues.js';
import { registerSchedules } from './commands/schedules.js';
import { registerServe } from './commands/serve.js';
import { registerStatus } from './commands/status.js';
import { registerWork } from './commands/work.js';
import { EXIT, exitCodeFor, type ExitCode } from './exit-codes.js';
import { processOutput, reportError, type Output } from './output.js';

const EPILOG = `
Exit codes:
  0    success
  1    unexpected failure (store error, bug, a handler module that fails to import)
  2    usage error: unknown command or flag, missing or malformed argument
  3    invalid input rejected by Kairos (error CODE: message; the message names the field),
       including a bad or impossible schedule rule and an unknown calendar (CALENDAR_NOT_FOUND)
  4    not found (JOB_NOT_FOUND, SCHEDULE_NOT_FOUND, LIMITER_NOT_FOUND)
  5    state conflict (JOB_STATE_CONFLICT, DUPLICATE_KEY, QUEUE_FULL)
  130  second SIGTERM/SIGINT while \`kairos work\` shuts down

Environment:
  KAIROS_DATABASE_URL  default for --store (otherwise sqlite:./kairos.db)
  KAIROS_LOG_LEVEL     log level (default warn; info for kairos serve, JSON on stdout)
  KAIROS_HOST, KAIROS_PORT, KAIROS_ALLOW_HOSTS   defaults of kairos serve --host, --port, --allow-hosts
  KAIROS_URL, KAIROS_API_KEY   job and schedule commands talk to this server instead of the store

With --json, results and errors are JSON on stdout; logs always go to stderr.`;

/** What the program needs from its surroundings; tests pass their own. */
export interface CliIo {
  out: Output;
  readStdin: () => Promise<string>;
}

const processIo: CliIo = { out: processOutput, readStdin };

/** Builds the program. Usage errors throw CommanderError (exitOverride) instead of exiting the process. */
export function buildProgram(io: CliIo = processIo): Command {
  const program = new Command('kairos')
    .description('Kairos: durable job scheduler. Manage jobs and schedules and run workers on a store.\nWith no command: kairos status.')
    .version(packageVersion(), '-V, --version')
    .exitOverride()
    // Options before the command belong to the program (`kairos --store <url> jobs ls`); after it, to the command.
    .enablePositionalOptions()
    .option('--store <url>', 'store URL for the command that follows (same as its own --store)')
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', EPILOG);
  registerMigrate(program, io.out);
  registerEnqueue(program, io.out, io.readStdin);
  registerJobs(program, io.out);
  registerSchedules(program, io.out, io.readStdin);
  registerCalendars(program, io.out, io.readStdin);
  registerLimiters(program, io.out);
  registerWork(program, io.out);
  registerServe(program, io.out);
  registerQueues(program, io.out);
  registerKeys(program, io.out);
  registerMaintenance(program, io.out);
  registerStatus(program, io.out);
  return program;
}

/** Runs the CLI on `argv` (process.argv form: node, script, args…) and returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<ExitCode> {
  const program = buildProgram(io);
  let json = false;
  program.hook('preAction', (_program, action) => {
    json = action.opts<{ json?: boolean }>().json === true;
    inheritGlobalStore(program, action);
  });
  try {
    await program.parseAsync(withDefaultCommand(argv));
    return EXIT.ok;
  } catch (error) {
    const code = exitCodeFor(error);
    // Commander has already printed its own usage errors and help.
    if (!(error instanceof CommanderError)) reportError(io.out, error, json);
    return code;
  }
}

/** `kairos --store <url> <command>`: the program-level --store goes to the command unless it names its own. */
function inheritGlobalStore(program: Command, action: Command): void {
  if (program.getOptionValueSource('store') !== 'cli') return;
  if (!action.options.some((o) => o.long === '--store') || action.getOptionValueSource('store') === 'cli') return;
  action.setOptionValueWithSource('store', program.opts<{ store: string }>().store, 'cli');
}

/**
 * `kairos` with no command, or with only status's own flags (`--json`, `--store <url>`), runs `kairos status`.
 * Done on argv rather than with commander's default command so that `kairos jbos` stays "unknown command".
 */
function withDefaultCommand(argv: readonly string[]): readonly string[] {
  const args = argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--store') i++;
    else if (arg !== '--json' && !arg.startsWith('--store=')) return argv;
  }
  return [...argv.slice(0, 2), 'status', ...args];
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

function packageVersion(): string {
  try {
    // src/cli/ and dist/cli/ are both two levels below the package root.
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
