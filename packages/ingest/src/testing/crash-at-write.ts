/**
 * Child process of the crash-point test (`src/job/crash-points.reliability.test.ts`): runs the
 * raw → processed job on a local lake and SIGKILLs itself right before its N-th storage write
 * (`put`, `putStream` or `delete`; N = 0 never), so the parent can stop a run between any two
 * writes it makes. Prints `{"writes": n}` when the run ends. Test-only; not exported.
 *
 * Usage: `node --import tsx --conditions=@lakeblocks/source crash-at-write.ts <lakeDir> <killAt> <runId>`
 *
 * @module
 */
import { LocalStorage, type Storage } from '@lakeblocks/core';
import { runRawToProcessed } from '../job/raw-to-processed.js';
import { techstoreCleaning } from './techstore-tables.js';

const [lakeDir, killAtText, runId] = process.argv.slice(2);
if (lakeDir === undefined || killAtText === undefined || runId === undefined) throw new Error('usage: crash-at-write.ts <lakeDir> <killAt> <runId>');
const killAt = Number(killAtText);
const WRITES = new Set(['put', 'putStream', 'delete']);
let writes = 0;
const local = new LocalStorage(lakeDir, { durable: false });
const storage = new Proxy(local, {
  get(target, property) {
    const value: unknown = Reflect.get(target, property, target);
    if (typeof value !== 'function') return value;
    if (typeof property !== 'string' || !WRITES.has(property)) return (value as (...a: unknown[]) => unknown).bind(target);
    return async (...args: unknown[]) => {
      writes++;
      if (writes === killAt) {
        process.kill(process.pid, 'SIGKILL');
        await new Promise(() => undefined);
      }
      return (value as (...a: unknown[]) => unknown).apply(target, args);
    };
  },
}) as Storage;

const tables = techstoreCleaning.filter((c) => ['orders', 'customers'].includes(c.table.name));
await runRawToProcessed({ storage, tables, runId });
process.stdout.write(`${JSON.stringify({ writes })}\n`);
