// Its own file (its own process): the host time zone must be set before DuckDB first loads ICU.
process.env.TZ = 'America/Bogota';

import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { col, defineTable } from '@lakeblocks/core';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { defineModel } from '../model/define-model.js';
import { DuckDbEngine } from './duckdb-engine.js';

const events = defineTable({ name: 'events', columns: { id: col.int(), ts: col.timestamp() } });
const monthly = defineModel({
  output: defineTable({ name: 'events_monthly', columns: { id: col.int(), ts: col.timestamp() }, partitioning: { kind: 'time', column: 'ts', granularity: 'month' } }),
  sql: "SELECT id, ts FROM {{ ref('events') }}",
});

let lake: string;
let engine: DuckDbEngine;
beforeEach(async () => {
  lake = await mkdtemp(join(tmpdir(), 'lakeblocks-transform-tz-'));
  engine = await DuckDbEngine.create({ lakeDir: lake, tables: [events], models: [monthly] });
});
afterEach(async () => {
  engine.close();
  await rm(lake, { recursive: true, force: true });
});

it('reads UTC-adjusted Parquet timestamps (TIMESTAMPTZ) as UTC whatever the host time zone', async () => {
  // Parquet written by another tool with isAdjustedToUTC = true: 02:00 UTC on New Year's Day.
  await mkdir(join(lake, 'processed', 'events'), { recursive: true });
  await engine.execute(
    `COPY (SELECT 1 AS id, TIMESTAMPTZ '2025-01-01 02:00:00+00' AS ts) TO '${join(lake, 'processed', 'events', 'part-0.parquet')}' (FORMAT parquet)`,
  );
  const result = await engine.run('events_monthly');
  expect(result.partitionsWritten).toEqual(['year=2025/month=1']); // not year=2024/month=12 (Bogota is UTC-5)
  expect(await engine.queryAll('SELECT id, ts FROM events_monthly')).toEqual([{ id: 1, ts: new Date('2025-01-01T02:00:00Z') }]);
});
