#!/usr/bin/env node
/** Entry point of the `kairos` command: runs the program, lets stdout and stderr drain, exits with its code. */
import { runCli } from './program.js';

const code = await runCli(process.argv);
// Exit explicitly: a handler that ignored its AbortSignal may still hold timers after `kairos work` stopped.
await new Promise((resolve) => process.stdout.write('', resolve));
await new Promise((resolve) => process.stderr.write('', resolve));
process.exit(code);
