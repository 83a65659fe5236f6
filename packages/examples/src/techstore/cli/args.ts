/**
 * Command-line parsing for the TechStore CLI: `node:util` `parseArgs` in strict mode (unknown flags
 * refused), paths resolved against the directory `pnpm` was invoked from.
 *
 * @module
 */
import { isAbsolute, resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';

/**
 * A usage error: printed with a hint to `--help`, exit code 2.
 *
 * @example
 * ```ts
 * throw new UsageError('run: --scale must be a positive number');
 * ```
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * The directory relative paths are resolved against: `INIT_CWD` (where `pnpm` was run; `pnpm
 * --filter … run` itself runs in the package directory), else the current directory.
 *
 * @example
 * ```ts
 * userPath('./.lake'); // '/work/main/.lake' when run as `pnpm techstore` from /work/main
 * ```
 */
export function userPath(path: string): string {
  return isAbsolute(path) ? path : resolve(process.env['INIT_CWD'] ?? process.cwd(), path);
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** Flags every command accepts. */
const COMMON: Options = {
  help: { type: 'boolean', short: 'h' },
  verbose: { type: 'boolean' },
};

/**
 * Parses one command's arguments strictly.
 *
 * @example
 * ```ts
 * const { values, positionals } = parseCommand('query', ['--lake', 'x', 'SELECT 1'], { lake: { type: 'string' } });
 * ```
 */
export function parseCommand(command: string, argv: readonly string[], options: Options, allowPositionals = false) {
  try {
    return parseArgs({ args: [...argv], options: { ...COMMON, ...options }, strict: true, allowPositionals });
  } catch (error) {
    const message = (error as Error).message.replace(/\. To specify a positional argument starting with a '-'.*$/s, '');
    throw new UsageError(`${command}: ${message}`);
  }
}

/**
 * A positive number option, or `undefined` when absent.
 *
 * @example
 * ```ts
 * positiveNumber('generate', 'scale', '0.01'); // 0.01
 * ```
 */
export function positiveNumber(command: string, name: string, value: string | boolean | (string | boolean)[] | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || !Number.isFinite(n) || n <= 0) throw new UsageError(`${command}: --${name} must be a positive number, got ${JSON.stringify(value)}`);
  return n;
}

/**
 * A string option's value (`parseArgs` types values loosely).
 *
 * @example
 * ```ts
 * str(values.lake); // './.lake' or undefined
 * ```
 */
export function str(value: string | boolean | (string | boolean)[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * The `values` of a parsed command.
 *
 * @example
 * ```ts
 * const values: ParsedValues = parseCommand('run', argv, { lake: { type: 'string' } }).values;
 * ```
 */
export type ParsedValues = Record<string, string | boolean | (string | boolean)[] | undefined>;
