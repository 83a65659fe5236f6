import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { col, defineTable } from '@lakeblocks/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defineModel } from '../model/define-model.js';
import { inputPartitionScope, type InputPartitionScope } from '../pushdown/input-partitions.js';
import { listInputFiles } from './input-files.js';

const events = defineTable({ name: 'events', columns: { id: col.int(), at: col.timestamp() }, partitioning: { kind: 'time', column: 'at', granularity: 'day' } });
const monthly = defineModel({
  output: defineTable({ name: 'events_monthly', columns: { id: col.int(), at: col.timestamp() }, partitioning: { kind: 'time', column: 'at', granularity: 'month' } }),
  sql: "SELECT id, at FROM {{ ref('events') }}",
  writeMode: 'overwrite_partitions',
  inputPartitions: { events: { year: 'year', month: 'month' } },
});
const scopeOf = (partitions: { year: number; month: number }[]) => inputPartitionScope(monthly, 'events', { partitions }) as InputPartitionScope;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lakeblocks-input-files-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});
async function touch(...paths: string[]): Promise<void> {
  for (const p of paths) {
    await mkdir(dirname(join(dir, p)), { recursive: true });
    await writeFile(join(dir, p), '');
  }
}
const rel = (files: string[] | undefined) => files?.map((f) => relative(dir, f));

describe('listInputFiles', () => {
  it('walks only matching folders (zero-padded values too), takes every .parquet below the last key, hidden ones included as DuckDB globs them', async () => {
    await touch(
      'year=2025/month=11/day=1/part-0.parquet',
      'year=2025/month=11/day=2/.hidden.parquet',
      'year=2025/month=11/day=2/sub/part-1.parquet',
      'year=2025/month=11/day=2/notes.txt',
      'year=2025/month=01/day=1/part-0.parquet',
      'year=2025/month=1/day=3/part-0.parquet',
      'year=2024/month=11/day=1/part-0.parquet',
    );
    expect(rel(await listInputFiles(dir, events, scopeOf([{ year: 2025, month: 11 }])))).toEqual([
      'year=2025/month=11/day=1/part-0.parquet',
      'year=2025/month=11/day=2/.hidden.parquet',
      'year=2025/month=11/day=2/sub/part-1.parquet',
    ]);
    expect(rel(await listInputFiles(dir, events, scopeOf([{ year: 2025, month: 1 }])))).toEqual(['year=2025/month=01/day=1/part-0.parquet', 'year=2025/month=1/day=3/part-0.parquet']);
    expect(await listInputFiles(join(dir, 'absent'), events, scopeOf([{ year: 2025, month: 1 }]))).toEqual([]);
  });

  it('gives up (read the whole table) on a layout that is not the table partitioning', async () => {
    await touch('year=2025/month=11/day=1/part-0.parquet', 'year=2025/stray.parquet');
    expect(await listInputFiles(dir, events, scopeOf([{ year: 2025, month: 11 }]))).toBeUndefined();
    await rm(join(dir, 'year=2025/stray.parquet'));
    await touch('year=2025/week=3/part-0.parquet');
    expect(await listInputFiles(dir, events, scopeOf([{ year: 2025, month: 11 }]))).toBeUndefined();
  });
});
