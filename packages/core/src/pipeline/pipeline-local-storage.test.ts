import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalStorage } from '../storage/local-storage.js';
import { definePipeline } from './pipeline.js';
import type { RunLog } from './run-log.js';

describe('run log on LocalStorage', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lakeblocks-pipeline-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes _state/runs/<run-id>.json to disk while running and at the end', async () => {
    const path = join(dir, '_state', 'runs', 'local-1.json');
    const readLog = async () => JSON.parse(await readFile(path, 'utf8')) as RunLog;
    let whileRunning: RunLog | undefined;
    const pipeline = definePipeline({
      name: 'techstore',
      storage: new LocalStorage(dir),
      steps: [
        { name: 'ingest', run: (ctx) => ctx.count({ rowsIn: 3, rowsOut: 2, rowsRejected: 1 }) },
        {
          name: 'transform',
          run: async () => {
            whileRunning = await readLog();
          },
        },
      ],
    });
    const log = await pipeline.run({ runId: 'local-1' });
    expect(whileRunning).toMatchObject({ status: 'running', currentStep: 'transform' });
    expect(whileRunning!.steps.map((s) => s.status)).toEqual(['succeeded', 'running']);
    const onDisk = await readLog();
    expect(onDisk).toEqual(log);
    expect(onDisk).toMatchObject({ version: 1, runId: 'local-1', pipeline: 'techstore', status: 'succeeded' });
    expect(onDisk.totals).toMatchObject({ rowsIn: 3, rowsOut: 2, rowsRejected: 1 });
  });
});
