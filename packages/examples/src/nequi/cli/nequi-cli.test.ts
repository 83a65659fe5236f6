import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testLakeRoot } from '../testing/nequi-lake.js';
import { readFile } from 'node:fs/promises';
import type { RunLog } from '@lakeblocks/core';
import { nequiCli, parseDuration, type CliIo } from './nequi-cli.js';

let root: string;
const capture = (isTTY = false): CliIo & { text: () => string } => {
  let text = '';
  return { out: (s) => void (text += s), err: (s) => void (text += s), text: () => text, isTTY };
};

beforeAll(async () => {
  root = await mkdtemp(join(testLakeRoot(), 'nequi-cli-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('pnpm nequi', () => {
  it('generate --out DIR --rows N --dirty-share P writes the four files and says what it wrote', async () => {
    const io = capture();
    expect(await nequiCli(['generate', '--out', join(root, 'data'), '--rows', '500', '--dirty-share', '0.1', '--seed', '3'], io)).toBe(0);
    expect((await readdir(join(root, 'data'))).sort()).toEqual(['cards_data.csv', 'mcc_codes.json', 'transactions_data.csv', 'users_data.csv']);
    expect(io.text()).toMatch(/transactions_data\.csv: 500 rows; mcc_codes\.json: 109 codes/);
    expect(io.text()).toMatch(/transactions\/s/);
  });

  it('refuses bad arguments with a message and a non-zero exit code', async () => {
    for (const args of [['generate'], ['generate', '--out', root, '--rows', '-5'], ['generate', '--out', root, '--dirty-share', '1.5'], ['generate', '--bogus']]) {
      const io = capture();
      expect(await nequiCli(args, io), args.join(' ')).toBe(1);
      expect(io.text()).toMatch(/^nequi generate: /);
    }
    const io = capture();
    expect(await nequiCli(['frobnicate'], io)).toBe(2);
    expect(io.text()).toMatch(/Usage:/);
  });

  it('run fails fast, naming the step, when the data directory has no sources', async () => {
    const io = capture();
    expect(await nequiCli(['run', '--lake', join(root, 'lake'), '--data', join(root, 'nowhere')], io)).toBe(1);
    expect(io.text()).toMatch(/\[1\/4\] upload +failed in/);
    expect(io.text()).toMatch(/Missing Nequi source file\(s\) .*users_data\.csv, cards_data\.csv, transactions_data\.csv, mcc_codes\.json/);
  });

  it('run draws TechStore\'s progress bars on a terminal and prints where every row went', async () => {
    const data = join(root, 'small');
    expect(await nequiCli(['generate', '--out', data, '--rows', '3000', '--dirty-share', '0.02', '--seed', '4'], capture())).toBe(0);
    const io = capture(true);
    expect(await nequiCli(['run', '--lake', join(root, 'lake-ok'), '--data', data, '--deadline', '10m'], io), io.text()).toBe(0);
    const text = io.text();
    for (const [i, step] of ['upload', 'raw-to-processed', 'curated', 'reports'].entries()) {
      expect(text).toMatch(new RegExp(`\\[${i + 1}/4\\] ${step} +\\[#{24}\\] 100 % done in \\d+\\.\\d s`));
    }
    // Mid-step: raw → processed redraws a bar by bytes read from raw/, the curated step by models.
    expect(text).toMatch(/\r\x1b\[2K\[2\/4\] raw-to-processed +\[[#-]{24}\] +\d+ % \d+(\.\d)? (KB|MB) \/ \d+(\.\d)? (KB|MB)/);
    expect(text).toMatch(/\r\x1b\[2K\[3\/4\] curated +\[[#-]{24}\] +\d+ % \d \/ 5 models/);
    const m = /rows in (\d+) = processed (\d+) \+ rejected (\d+)/.exec(text);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBe(Number(m![2]) + Number(m![3]));
    expect(Number(m![3])).toBeGreaterThan(0);
    expect(text).toMatch(/curated: full/);
    // Nothing new in raw/: the same incremental path writes nothing.
    const again = capture();
    expect(await nequiCli(['run', '--lake', join(root, 'lake-ok'), '--no-upload'], again), again.text()).toBe(0);
    expect(again.text()).toMatch(/rows in 0 = processed 0 \+ rejected 0/);
    expect(again.text()).toMatch(/curated: nothing-new/);
    expect(again.text()).toMatch(/upload +skipped/);
  }, 60_000);

  it('--deadline: a run that overruns fails at once, naming the step that overran, and the run log says so', async () => {
    const data = join(root, 'deadline-data');
    expect(await nequiCli(['generate', '--out', data, '--rows', '60000', '--seed', '9'], capture())).toBe(0);
    const io = capture();
    const lake = join(root, 'lake-deadline');
    expect(await nequiCli(['run', '--lake', lake, '--data', data, '--deadline', '150ms'], io)).toBe(1);
    const m = /nequi run: Pipeline "nequi" passed its deadline \S+ (?:while step "([a-z-]+)" was running|before step "([a-z-]+)" could start)/.exec(io.text());
    expect(m, io.text()).not.toBeNull();
    const step = m![1] ?? m![2];
    const logFile = /run log: (\S+\.json) \(step "([a-z-]+)" failed\)/.exec(io.text());
    expect(logFile, io.text()).not.toBeNull();
    expect(logFile![2]).toBe(step);
    const log = JSON.parse(await readFile(logFile![1]!, 'utf8')) as RunLog;
    expect(log.status).toBe('failed');
    const failed = log.steps.find((s) => s.name === step)!;
    expect(failed.error?.tag).toBe('DeadlineExceeded');
    const after = log.steps.slice(log.steps.indexOf(failed) + 1);
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((s) => s.status === 'skipped' && s.skipReason === 'deadline')).toBe(true);
  }, 60_000);

  it('parses --deadline durations and refuses bad ones', async () => {
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('2')).toBe(120_000);
    for (const bad of ['5 minutes', 'm', '0s', '-1m', '5x']) expect(() => parseDuration(bad), bad).toThrow(/--deadline: invalid duration/);
    const io = capture();
    expect(await nequiCli(['run', '--deadline', 'soon'], io)).toBe(1);
    expect(io.text()).toMatch(/invalid duration "soon"/);
  });

  it('--mysql: a bad URL is refused before anything runs, without printing the password', async () => {
    const io = capture();
    expect(await nequiCli(['run', '--lake', join(root, 'never'), '--mysql', 'postgres://etl:s3cret@db/x'], io)).toBe(1);
    expect(io.text()).toMatch(/etl:\*\*\*@db\/x: the scheme must be mysql:\/\//);
    expect(io.text()).not.toContain('s3cret');
    await expect(readdir(join(root, 'never'))).rejects.toThrow();
  });
});
