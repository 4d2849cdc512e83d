/** Entry point of the `kiln` command (bin/kiln.js imports the compiled file). */
import { runCli } from './program.js';

const controller = new AbortController();
process.once('SIGINT', () => controller.abort());

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  now: () => Date.now(),
}, { signal: controller.signal });

// Every command (the agent too) has finished here; let buffered output reach a pipe, then exit.
process.exitCode = code;
process.stdout.write('', () => process.exit(code));
