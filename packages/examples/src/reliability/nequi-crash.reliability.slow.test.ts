/**
 * Opt-in (`pnpm test:reliability`): crash-safety of the Nequi pipeline, whose sources are dirty (1%
 * of the rows must be rejected). The CLI runs as a child process and is SIGKILLed at random points,
 * twice per chain, then rerun to the end. After the final run the lake equals a clean run's:
 * processed byte for byte, curated by content (`EXCEPT ALL` both ways) and the rejected rows as a
 * multiset — a reject reported twice (one file from a killed run, one from its rerun) or lost is a
 * failure, like a duplicated or lost data row.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateNequi } from '../nequi/generate/generate-nequi.js';
import { compareSnapshots, differing, dropSnapshot, listFiles, openDuck, snapshotLayer, strayFiles, unreadableParquet, type LayerSnapshot } from './lake-inspect.js';
import { digestDiff, fileDigests } from './lake-state.js';
import { lastProgress, runCliProcess, type KillPlan } from './pipeline-process.js';
import { seededRandom } from './seeded-random.js';

const CHAINS = Number(process.env.LAKEBLOCKS_RELIABILITY_CHAINS ?? 6);
const KILLS_PER_CHAIN = 2;
/** Slow: runs only under `pnpm test:reliability` (LAKEBLOCKS_RELIABILITY=1), never in `pnpm test`. */
const OPT_IN = process.env.LAKEBLOCKS_RELIABILITY === '1';

let work: string;
let data: string;
let clean: { ms: number; processed: Map<string, string>; curated: LayerSnapshot; rejects: string[] };
let duck: Awaited<ReturnType<typeof openDuck>>;
const report = { kills: 0, finishedBeforeKill: 0, killedIn: {} as Record<string, number>, rejectFiles: 0 };

const run = (lake: string, kill: KillPlan = {}) => runCliProcess('nequi', ['run', '--lake', lake, '--data', data], kill);

/**
 * Every rejected row of the lake, from all its rejects files, as sorted lines without the run id
 * (the file name): `table | source_file,line,column,reason,raw_record`.
 */
async function rejectedRows(lake: string): Promise<{ rows: string[]; files: number }> {
  const files = (await listFiles(join(lake, 'rejects'))).filter((f) => f.endsWith('.csv'));
  const rows: string[] = [];
  for (const file of files) {
    const table = file.split('/').at(-2) ?? '?';
    const text = await readFile(join(lake, 'rejects', file), 'utf8');
    // One record per line is enough here: the Nequi dirty rows hold no line breaks (checked by the count below).
    for (const line of text.split('\n').slice(1)) if (line !== '') rows.push(`${table} | ${line}`);
  }
  return { rows: rows.sort(), files: files.length };
}

describe.skipIf(!OPT_IN)('opt-in reliability suite (LAKEBLOCKS_RELIABILITY=1)', () => {
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'lakeblocks-nequi-crash-'));
    data = join(work, 'data');
    const summary = await generateNequi({ outDir: data, rows: 60_000, dirtyShare: 0.01, seed: 11 });
    duck = await openDuck();
    const lake = join(work, 'clean');
    const outcome = await run(lake);
    expect(outcome.code, outcome.stderr).toBe(0);
    const rejects = await rejectedRows(lake);
    expect(rejects.rows.length).toBe(summary.users.expectedRejects + summary.cards.expectedRejects + summary.transactions.expectedRejects);
    clean = { ms: outcome.ms, processed: await fileDigests(lake, 'processed'), curated: await snapshotLayer(duck.conn, lake, 'curated'), rejects: rejects.rows };
    expect(clean.processed.size).toBeGreaterThan(10);
    expect(clean.rejects.length).toBeGreaterThan(100);
  }, 300_000);

  afterAll(async () => {
    console.info(`[reliability] Nequi SIGKILL: ${JSON.stringify(report)}`);
    duck?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  describe('Nequi pipeline under SIGKILL', () => {
    it.each(Array.from({ length: CHAINS }, (_, i) => i + 1))(
      'chain %i: killed twice, then rerun: processed, curated and rejects equal a clean run',
      async (chain) => {
        const random = seededRandom(chain * 7919);
        const lake = join(work, `chain-${chain}`);
        for (let k = 0; k < KILLS_PER_CHAIN; k++) {
          // By time on the first kill of even chains, else a while after a writing step starts.
          const step = ['raw-to-processed', 'curated', 'reports'][Math.floor(random() * 3)] ?? 'raw-to-processed';
          const plan: KillPlan = k === 0 && chain % 2 === 0 ? { afterMs: Math.round(500 + random() * clean.ms) } : { onLine: new RegExp(`\\] ${step}\\s+started`), delayMs: Math.round(random() * 2_000) };
          const outcome = await run(lake, plan);
          if (!outcome.killed) {
            report.finishedBeforeKill++;
            expect(outcome.code, outcome.stderr).toBe(0);
            continue;
          }
          report.kills++;
          const where = lastProgress(outcome.stderr).replace(/^\[\d+\/\d+\]\s*/, '').split(' ')[0] ?? '?';
          report.killedIn[where] = (report.killedIn[where] ?? 0) + 1;
          // A reader right after the kill: nothing half-written.
          expect((await strayFiles(lake)).other, `chain ${chain} kill ${k + 1} (${where})`).toEqual([]);
          expect(await unreadableParquet(duck.conn, lake), `chain ${chain} kill ${k + 1} (${where})`).toEqual([]);
        }
        const final = await run(lake);
        expect(final.code, final.stderr).toBe(0);
        const { wrong, missing } = digestDiff(clean.processed, await fileDigests(lake, 'processed'));
        expect({ wrong, missing }, `chain ${chain}: processed`).toEqual({ wrong: [], missing: [] });
        const curated = await snapshotLayer(duck.conn, lake, 'curated');
        try {
          expect(differing(await compareSnapshots(duck.conn, clean.curated, curated)), `chain ${chain}: curated`).toEqual([]);
        } finally {
          await dropSnapshot(duck.conn, curated);
        }
        const rejects = await rejectedRows(lake);
        report.rejectFiles += rejects.files;
        expect(rejects.rows.length, `chain ${chain}: rejected rows (clean run: ${clean.rejects.length})`).toBe(clean.rejects.length);
        expect(rejects.rows, `chain ${chain}: rejected rows`).toEqual(clean.rejects);
      },
      600_000,
    );
  });
});
