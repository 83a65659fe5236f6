/**
 * Entry point of `pnpm nequi …` (run with tsx): `tsx src/nequi/cli/main.ts generate --out DIR`.
 *
 * @module
 */
import { nequiCli } from './nequi-cli.js';

process.exitCode = await nequiCli(process.argv.slice(2));
