/**
 * Entry point of `pnpm techstore <command>`: dispatches, turns errors into one line on stderr
 * (the stack with `--verbose`) and a non-zero exit code (2 for usage errors).
 *
 * @module
 */
import { pathToFileURL } from 'node:url';
import { UsageError } from './args.js';
import { generateCommand, queryCommand, runCommand, uploadCommand, watchCommand, type Io } from './commands.js';
import { MAIN_HELP } from './help.js';

const COMMANDS: Record<string, (argv: readonly string[], io: Io) => Promise<number>> = {
  generate: generateCommand,
  upload: uploadCommand,
  run: runCommand,
  query: queryCommand,
  watch: watchCommand,
};

/**
 * Runs the CLI with `argv` (without `node` and the script) and returns the exit code.
 *
 * @example
 * ```ts
 * const code = await main(['query', '--lake', '/tmp/lake', 'SELECT count(*) FROM orders']);
 * ```
 */
export async function main(argv: readonly string[], io: Io = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const [command, ...rest] = argv;
  const verbose = rest.includes('--verbose');
  try {
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      io.stdout.write(MAIN_HELP);
      return command === undefined ? 2 : 0;
    }
    const run = COMMANDS[command];
    if (!run) throw new UsageError(`unknown command "${command}" (commands: ${Object.keys(COMMANDS).join(', ')})`);
    return await run(rest, io);
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error));
    let message = err.message.split('\n')[0] ?? String(err);
    if (command && message.startsWith(`${command}: `)) message = message.slice(command.length + 2);
    io.stderr.write(`techstore${command && COMMANDS[command] ? ` ${command}` : ''}: ${message}\n`);
    if (error instanceof UsageError) io.stderr.write('Run "pnpm techstore --help" for usage.\n');
    else if (verbose) io.stderr.write(`${err.stack ?? ''}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await main(process.argv.slice(2));
}
