/**
 * Without `@duckdb/node-api` (its import made to fail here): `engine: 'duckdb'` fails with a clear
 * error, `engine: 'auto'` reads with the JS engine and says so, `engine: 'js'` never loads it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStorage, col, defineTable } from '@lakeblocks/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { defineCleaning } from '../cleaning/cleaning-rules.js';
import { IngestError } from '../errors/ingest-error.js';
import { runRawToProcessed } from '../job/raw-to-processed.js';
import { DuckDbEngine } from './duckdb-engine.js';

vi.mock('@duckdb/node-api', () => {
  throw new Error("Cannot find package '@duckdb/node-api'");
});

const items = defineTable({ name: 'items', columns: { id: col.int(), name: col.string() }, primaryKey: ['id'] });
const cleaning = defineCleaning(items);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ingest-duckdb-missing-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function lake(name: string): Promise<LocalStorage> {
  const storage = new LocalStorage(join(dir, name), { durable: false });
  await storage.put('raw/items/b1/items.csv', Buffer.from('id,name\n1,a\n2,b\n'));
  return storage;
}

describe('the DuckDB engine without @duckdb/node-api', () => {
  it('DuckDbEngine.open fails with an IngestError saying how to install it', async () => {
    const error = await DuckDbEngine.open().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IngestError);
    expect(error).toMatchObject({ _tag: 'InvalidArgument', isRetryable: false });
    expect((error as Error).message).toMatch(/optional peer dependency @duckdb\/node-api.*pnpm add @duckdb\/node-api.*engine: 'js'/);
  });

  it("engine 'duckdb' fails the run; 'auto' reads with the JS engine and logs why; 'js' does not try", async () => {
    await expect(runRawToProcessed({ storage: await lake('duckdb'), tables: [cleaning], engine: 'duckdb' })).rejects.toMatchObject({ _tag: 'InvalidArgument' });
    const logs: string[] = [];
    const context = { count: () => undefined, log: { info: (m: string) => logs.push(m) }, signal: new AbortController().signal } as never;
    const auto = await runRawToProcessed({ storage: await lake('auto'), tables: [cleaning], engine: 'auto', context });
    expect(auto).toMatchObject({ rowsIn: 2, rowsOut: 2 });
    expect(logs[0]).toMatch(/^engine auto: the JS engine reads every file \(The DuckDB engine needs the optional peer dependency/);
    expect(await runRawToProcessed({ storage: await lake('js'), tables: [cleaning], engine: 'js' })).toMatchObject({ rowsIn: 2, rowsOut: 2 });
    await expect(runRawToProcessed({ storage: await lake('bad'), tables: [cleaning], engine: 'spark' as never })).rejects.toMatchObject({ _tag: 'InvalidArgument' });
  });
});
