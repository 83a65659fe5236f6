/**
 * Hostile names, property-based (fast-check): partition keys and values, storage keys, upload file
 * names and batch names built to escape the lake (`..`, `/`, `\`, NUL and other control
 * characters, `%2E%2E`, absolute paths, drive letters, overlong names, lone surrogates). Through the
 * public APIs (core `partitionPath` / `parsePartitionPath`, `LocalStorage`, `lakeLayout`, ingest
 * `uploadStream`): each either refuses with the package's error (never a crash, never a TypeError),
 * or writes inside the lake — nothing ever lands outside it — and a partition path reads back to
 * exactly its values.
 */
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix, relative, resolve, sep } from 'node:path';
import fc from 'fast-check';
import { CoreError, LocalStorage, col, defineTable, lakeLayout, parsePartitionPath, partitionPath } from '@lakeblocks/core';
import { IngestError, uploadStream } from '@lakeblocks/ingest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listFiles } from './lake-inspect.js';

const tally: Record<string, { runs: number; accepted: number; refused: number }> = {};
const count = (kind: string, accepted: boolean) => {
  const t = (tally[kind] ??= { runs: 0, accepted: 0, refused: 0 });
  t.runs++;
  if (accepted) t.accepted++;
  else t.refused++;
};

let sandbox: string;
let lakeDir: string;
let outside: string;
beforeAll(async () => {
  sandbox = await mkdtemp(join(tmpdir(), 'lakeblocks-hostile-'));
  // The lake is nested, so `..` chains have real directories to land in if they ever escape.
  lakeDir = join(sandbox, 'a', 'b', 'lake');
  outside = join(sandbox, 'a', 'b', 'outside');
  await mkdir(lakeDir, { recursive: true });
  await mkdir(outside, { recursive: true });
});
afterAll(async () => {
  console.info(`[reliability] hostile paths: ${JSON.stringify(tally)}`);
  if (sandbox) await rm(sandbox, { recursive: true, force: true });
});

/** Every file of the sandbox that is not inside the lake. */
async function escaped(): Promise<string[]> {
  return (await listFiles(sandbox)).filter((f) => !resolve(sandbox, f).startsWith(lakeDir + sep));
}

/** Pieces attackers use, mixed with ordinary text. */
const hostilePiece = fc.constantFrom(
  '..',
  '.',
  '/',
  '\\',
  '../',
  '..\\',
  '%2E%2E',
  '%2F',
  '%00',
  '\u0000',
  '\n',
  '\r',
  '\t',
  '\u007f',
  '\u202e',
  'C:',
  '~',
  '=',
  '*',
  '?',
  '"',
  "'",
  '`',
  ';',
  ' ',
  '\uFEFF',
  '\uD800',
  '\uDC00',
  '😀',
  'é',
  'year=2025',
  '/etc/passwd',
  '..%2F..%2F',
  'x'.repeat(300),
);
const hostileText = fc.array(fc.oneof({ weight: 3, arbitrary: hostilePiece }, { weight: 2, arbitrary: fc.string({ maxLength: 8 }) }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 4 }) }), {
  minLength: 1,
  maxLength: 6,
}).map((parts) => parts.join(''));

const isLoneSurrogate = (s: string) => /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);

describe('partition paths from hostile values', () => {
  it('either refuse with InvalidArgument, or stay one segment per key and read back exactly', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(hostileText, fc.oneof(hostileText, fc.integer(), fc.constant(''))), { minLength: 1, maxLength: 3 }),
        (pairs) => {
          const values = Object.fromEntries(pairs) as Record<string, string | number>;
          let path: string;
          try {
            path = partitionPath(values);
          } catch (error) {
            count('partition path', false);
            expect(error).toBeInstanceOf(CoreError);
            expect((error as CoreError)._tag).toBe('InvalidArgument');
            expect(Object.entries(values).some(([k, v]) => k === '' || isLoneSurrogate(k) || (typeof v === 'string' && isLoneSurrogate(v)))).toBe(true);
            return;
          }
          count('partition path', true);
          const segments = path.split('/');
          expect(segments).toHaveLength(Object.keys(values).length);
          for (const s of segments) {
            expect(s).not.toMatch(/^\.{1,2}$/);
            expect(s).not.toMatch(/[\u0000-\u001f\u007f\\]/);
          }
          // Joined under a table prefix, it never walks out of it.
          const key = `${lakeLayout.tablePrefix('processed', 'orders')}${path}/part-0.parquet`;
          expect(posix.normalize(key)).toBe(key);
          const expected = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v === '' ? null : String(v)]));
          expect(parsePartitionPath(key)).toEqual(expected);
        },
      ),
      { numRuns: 400, seed: 20261122 },
    );
  });
});

describe('LocalStorage keys from hostile text', () => {
  it('either refuse with a CoreError or write inside the lake; nothing ever lands outside it', async () => {
    const storage = new LocalStorage(lakeDir, { durable: false });
    await fc.assert(
      fc.asyncProperty(fc.array(hostileText, { minLength: 1, maxLength: 4 }), async (parts) => {
        const key = parts.join('/');
        try {
          await storage.put(key, 'x');
        } catch (error) {
          count('storage key', false);
          expect(error, String(error)).toBeInstanceOf(CoreError);
          expect(['InvalidArgument', 'StorageFailure']).toContain((error as CoreError)._tag);
          expect((error as CoreError).message).toContain(JSON.stringify(key).slice(1, 20));
          return;
        }
        count('storage key', true);
        const where = resolve(lakeDir, ...key.split('/'));
        expect(where.startsWith(lakeDir + sep), `${key} → ${where}`).toBe(true);
        expect(new TextDecoder().decode(await storage.get(key))).toBe('x');
        expect(relative(lakeDir, where).split(sep).join('/')).toBe(key);
      }),
      { numRuns: 300, seed: 7 },
    );
    expect(await escaped()).toEqual([]);
    expect(await readdir(outside)).toEqual([]);
  });
});

describe('uploads with hostile file and batch names', () => {
  const orders = defineTable({ name: 'orders', columns: { id: col.int(), note: col.string().nullable() }, primaryKey: ['id'] });
  it('either refuse with an IngestError UploadRefused naming the reason, or land exactly at raw/orders/<batch>/<name>', async () => {
    const storage = new LocalStorage(lakeDir, { durable: false });
    const name = fc.oneof(
      hostileText.map((t) => `orders${t}.csv`),
      hostileText.map((t) => `${t}orders.csv`),
      hostileText.map((t) => `orders_${t}`),
    );
    const batch = fc.oneof(fc.constantFrom('2025-12', 'b1'), hostileText);
    await fc.assert(
      fc.asyncProperty(name, batch, async (fileName, batchName) => {
        async function* body() {
          yield Buffer.from('id,note\n1,hello\n');
        }
        try {
          const result = await uploadStream(storage, fileName, body(), { tables: [orders], batch: batchName });
          count('upload name', true);
          expect(result.key).toBe(`raw/orders/${batchName}/${fileName}`);
          expect(result.key.split('/')).toHaveLength(4);
          expect(new TextDecoder().decode(await storage.get(result.key))).toBe('id,note\n1,hello\n');
        } catch (error) {
          count('upload name', false);
          expect(error, String(error)).toBeInstanceOf(IngestError);
          expect((error as IngestError)._tag).toBe('UploadRefused');
          expect(String((error as IngestError).context.reason)).toMatch(/^(unsafe-name|extension|unknown-table)$/);
        }
      }),
      { numRuns: 300, seed: 11 },
    );
    expect(await escaped()).toEqual([]);
    expect(await readdir(outside)).toEqual([]);
  });
});
