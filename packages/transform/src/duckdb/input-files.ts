/**
 * Lists the Parquet files of a Hive-partitioned table directory that lie in the partitions a
 * pushed-down run may read, walking only the folders that can match (partition pushdown on a local
 * lake).
 *
 * @module
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parsePartitionPath, type AnyTable, type PartitionScalar } from '@lakeblocks/core';
import { matchesInputScope, type InputPartitionScope } from '../pushdown/input-partitions.js';

/**
 * The `.parquet` files under `dir` (absolute paths, sorted) whose partition folders match `scope`:
 * the same files the table's `dir/**\/*.parquet` view reads, minus those in partitions out of
 * scope. At each partition level only `key=value` folders of the expected key are walked (values
 * typed as the table declares); below the last key everything is taken. Returns `undefined` when
 * the directory does not have the table's layout (a Parquet file above the last partition level,
 * or a folder that is not `<expected key>=…`): the caller then reads the whole table, which is
 * always right. A missing directory has no files.
 *
 * @example
 * ```ts
 * await listInputFiles('/lake/processed/orders', orders, scope);
 * // ['/lake/processed/orders/year=2025/month=11/day=1/part-0.parquet', …]
 * ```
 */
export async function listInputFiles(dir: string, table: AnyTable, scope: InputPartitionScope): Promise<string[] | undefined> {
  const keys = table.partitionKeys;
  const files: string[] = [];
  let layoutOk = true;
  const list = async (path: string) => {
    try {
      return await readdir(path, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  };
  const takeAll = async (path: string): Promise<void> => {
    for (const e of await list(path)) {
      const child = join(path, e.name);
      if (e.isDirectory()) await takeAll(child);
      else if (e.name.endsWith('.parquet')) files.push(child);
    }
  };
  const walk = async (path: string, depth: number, values: Record<string, PartitionScalar>): Promise<void> => {
    const key = keys[depth];
    if (key === undefined) return takeAll(path);
    for (const e of await list(path)) {
      if (!layoutOk) return;
      if (!e.isDirectory()) {
        if (e.name.endsWith('.parquet')) layoutOk = false; // a file the view reads without this partition key
        continue;
      }
      const parsed = parsePartitionPath(e.name);
      const names = Object.keys(parsed);
      if (names.length !== 1 || names[0] !== key.name) {
        layoutOk = false;
        return;
      }
      const text = parsed[key.name] ?? null;
      const intLike = key.type.kind === 'int' || key.type.kind === 'bigint';
      const value: PartitionScalar = text !== null && intLike && /^-?\d+$/.test(text) ? Number(text) : text;
      const next = { ...values, [key.name]: value };
      if (matchesInputScope(scope, next)) await walk(join(path, e.name), depth + 1, next);
    }
  };
  await walk(dir, 0, {});
  return layoutOk ? files.sort() : undefined;
}
