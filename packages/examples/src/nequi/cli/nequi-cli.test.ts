import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testLakeRoot } from '../testing/nequi-lake.js';
import { nequiCli, type CliIo } from './nequi-cli.js';

let root: string;
const capture = (): CliIo & { text: () => string } => {
  let text = '';
  return { out: (s) => void (text += s), err: (s) => void (text += s), text: () => text };
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
    expect(io.text()).toMatch(/✖ upload/);
    expect(io.text()).toMatch(/Missing Nequi source file\(s\) .*users_data\.csv, cards_data\.csv, transactions_data\.csv, mcc_codes\.json/);
  });
});
