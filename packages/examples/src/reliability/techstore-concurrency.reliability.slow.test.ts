/**
 * Opt-in (`pnpm test:reliability`): two TechStore runs of the same lake at once (DESIGN decision 6:
 * bookmarks refuse two concurrent runs of one job). The second waits or refuses with a clear
 * message; nothing is processed twice: after both (and, if one refused, one more run) the lake
 * equals a clean run's — processed byte for byte, curated by content, no duplicate rows.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTechstore } from '../techstore/generate/generate.js';
import { compareSnapshots, differing, dropSnapshot, openDuck, snapshotLayer, strayFiles, type LayerSnapshot } from './lake-inspect.js';
import { digestDiff, fileDigests } from './lake-state.js';
import { runTechstoreProcess, type RunOutcome } from './pipeline-process.js';

let work: string;
let data: string;
let clean: { processed: Map<string, string>; curated: LayerSnapshot };
let duck: Awaited<ReturnType<typeof openDuck>>;
const report = { pairs: 0, bothFinished: 0, oneRefused: 0, refusals: [] as string[], otherFailures: 0 };

/** Slow: runs only under `pnpm test:reliability` (LAKEBLOCKS_RELIABILITY=1), never in `pnpm test`. */
const OPT_IN = process.env.LAKEBLOCKS_RELIABILITY === '1';

describe.skipIf(!OPT_IN)('opt-in reliability suite (LAKEBLOCKS_RELIABILITY=1)', () => {
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'lakeblocks-concurrent-'));
    data = join(work, 'data');
    await generateTechstore({ out: data, scale: 0.01, seed: '11' });
    duck = await openDuck();
    const lake = join(work, 'clean');
    const run = await runTechstoreProcess(lake, data);
    expect(run.code, run.stderr).toBe(0);
    clean = { processed: await fileDigests(lake, 'processed'), curated: await snapshotLayer(duck.conn, lake, 'curated') };
  }, 300_000);

  afterAll(async () => {
    console.info(`[reliability] TechStore concurrent runs: ${JSON.stringify(report)}`);
    duck?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  function sleep(ms: number) {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  /** A one-line reason of a failed run (its last stderr line). */
  function reason(run: RunOutcome): string {
    return run.stderr.trim().split('\n').pop()?.slice(0, 200) ?? '';
  }

  describe('two TechStore runs of the same lake at once', () => {
    it.each([0, 400, 2_500, 6_000])('second started %i ms after the first: it waits or refuses clearly, and nothing is processed twice', async (offset) => {
      report.pairs++;
      const lake = join(work, `pair-${offset}`);
      const first = runTechstoreProcess(lake, data);
      await sleep(offset);
      const second = runTechstoreProcess(lake, data);
      const runs = await Promise.all([first, second]);
      const failed = runs.filter((r) => r.code !== 0);
      expect(failed.length, runs.map((r) => r.stderr).join('\n---\n')).toBeLessThan(2);
      for (const f of failed) {
        // The refusal names the job and the holder; anything else is a bug.
        expect(f.stderr, f.stderr).toMatch(/already running: its bookmark lease is held by/);
        report.refusals.push(reason(f).replace(/^.*?(Job "[^"]+" is already running).*$/, '$1'));
      }
      if (failed.length === 0) report.bothFinished++;
      else report.oneRefused++;

      // The refused run left nothing behind that the next run would trip over.
      if (failed.length > 0) {
        const next = await runTechstoreProcess(lake, data);
        expect(next.code, next.stderr).toBe(0);
      }
      expect((await strayFiles(lake)).other).toEqual([]);
      const { wrong, missing } = digestDiff(clean.processed, await fileDigests(lake, 'processed'));
      expect({ wrong, missing }).toEqual({ wrong: [], missing: [] });
      const curated = await snapshotLayer(duck.conn, lake, 'curated');
      try {
        expect(differing(await compareSnapshots(duck.conn, clean.curated, curated))).toEqual([]);
      } finally {
        await dropSnapshot(duck.conn, curated);
      }
    }, 600_000);
  });
});
