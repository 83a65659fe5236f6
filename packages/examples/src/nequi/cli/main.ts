/**
 * Entry point of `pnpm nequi …` (run with tsx): `tsx src/nequi/cli/main.ts generate --out DIR`.
 * Exits as soon as the command ends: a run that passed its deadline must not wait for the work it
 * abandoned (a DuckDB query still running in the background).
 *
 * @module
 */
import { nequiCli } from './nequi-cli.js';

process.exit(await nequiCli(process.argv.slice(2)));
