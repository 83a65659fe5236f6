import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testLakeRoot } from '../testing/techstore-lake.js';
import { userPath } from './args.js';
import { main } from './main.js';

function capture() {
  const out = { stdout: '', stderr: '' };
  const io = { stdout: { write: (t: string) => (out.stdout += t) }, stderr: { isTTY: false, write: (t: string) => (out.stderr += t) } };
  return { out, io };
}

const REPO = join(import.meta.dirname, '../../../../..');

describe('techstore CLI', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(testLakeRoot(), 'techstore-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a bad --mysql URL at once, naming the step, without printing the password', async () => {
    for (const url of ['postgres://etl:s3cret@db/shop', 'mysql://etl:s3cret@db:3306/', 'nonsense']) {
      const c = capture();
      expect(await main(['run', '--lake', join(dir, 'never'), '--mysql', url], c.io)).toBe(2);
      const [first, ...rest] = c.out.stderr.trimEnd().split('\n');
      expect(first).toMatch(/^techstore run: mysql-load: --mysql /);
      expect(rest).toEqual(['Run "pnpm techstore --help" for usage.']);
      expect(c.out.stderr).not.toContain('s3cret');
    }
  });

  it('prints help, refuses unknown commands and flags with exit code 2', async () => {
    let c = capture();
    expect(await main(['--help'], c.io)).toBe(0);
    expect(c.out.stdout).toContain('Usage: pnpm techstore <command>');
    c = capture();
    expect(await main(['run', '--help'], c.io)).toBe(0);
    expect(c.out.stdout).toContain('Usage: pnpm techstore run');
    c = capture();
    expect(await main(['frobnicate'], c.io)).toBe(2);
    expect(c.out.stderr).toMatch(/^techstore: unknown command "frobnicate"/);
    c = capture();
    expect(await main(['run', '--bogus'], c.io)).toBe(2);
    expect(c.out.stderr).toMatch(/^techstore run: Unknown option '--bogus'/);
    c = capture();
    expect(await main(['generate', '--out', dir, '--scale', 'lots'], c.io)).toBe(2);
    expect(c.out.stderr).toContain('--scale must be a positive number');
    c = capture();
    expect(await main(['run', '--lake', dir, '--data', join(dir, 'nowhere')], c.io)).toBe(2);
    expect(c.out.stderr).toMatch(/^techstore run: --data .*nowhere is not a directory/);
  });

  it('resolves relative paths against INIT_CWD (where pnpm was run)', () => {
    const saved = process.env['INIT_CWD'];
    process.env['INIT_CWD'] = '/somewhere/else';
    try {
      expect(userPath('./.lake')).toBe('/somewhere/else/.lake');
      expect(userPath('/abs/lake')).toBe('/abs/lake');
    } finally {
      if (saved === undefined) delete process.env['INIT_CWD'];
      else process.env['INIT_CWD'] = saved;
    }
  });

  it('generates, uploads (refusing bad files by name and reason) and queries', async () => {
    const data = join(dir, 'data');
    const lake = join(dir, 'lake');
    let c = capture();
    expect(await main(['generate', '--out', data, '--scale', '0.002', '--seed', '9'], c.io)).toBe(0);
    expect(c.out.stdout).toMatch(/orders\s+67\s/);
    expect(c.out.stdout).toContain('events by type: page_view');

    await writeFile(join(dir, 'invoices.csv'), 'a,b\n1,2\n');
    await writeFile(join(dir, 'orders_bad.csv'), 'order_id,customer_id\n1,2\n');
    c = capture();
    const code = await main(['upload', '--lake', lake, join(data, 'orders.csv'), join(dir, 'invoices.csv'), join(dir, 'orders_bad.csv')], c.io);
    expect(code).toBe(1);
    expect(c.out.stdout).toMatch(/^uploaded .*orders\.csv → raw\/orders\/[0-9a-f]{16}\/orders\.csv \(67 rows/);
    expect(c.out.stderr).toMatch(/refused .*invoices\.csv: .*invoices\.csv/);
    expect(c.out.stderr).toMatch(/refused .*orders_bad\.csv: .*(header|column)/i);
    expect(c.out.stderr).toContain('2 of 3 file(s) refused');
    c = capture();
    expect(await main(['upload', '--lake', lake, join(data, 'orders.csv')], c.io)).toBe(0);
    expect(c.out.stdout).toMatch(/^already in the lake/);

    c = capture();
    expect(await main(['run', '--lake', lake, '--data', data, '--no-fsync'], c.io)).toBe(0);
    expect(c.out.stdout).toContain('1. How did the business do this month?');
    c = capture();
    expect(await main(['query', '--lake', lake, 'SELECT event_type, count(*) AS n FROM events GROUP BY 1 ORDER BY n DESC'], c.io)).toBe(0);
    expect(c.out.stdout).toMatch(/^event_type\s+n\n-+\s+-+\npage_view\s+\d+\n/);
    expect(c.out.stdout).toContain('(4 rows)');
    c = capture();
    expect(await main(['query', '--lake', lake, 'SELECT nope FROM orders'], c.io)).toBe(1);
    expect(c.out.stderr).toMatch(/^techstore query: .*nope/);
    expect(c.out.stderr.trim().split('\n')).toHaveLength(1);
  }, 60_000);

  it('runs through pnpm from the repository root (pnpm -s techstore), exit code and one-line error included', async () => {
    const failed = await promisify(execFile)('pnpm', ['-s', 'techstore', 'upload', '--lake', dir, 'missing.csv'], { cwd: REPO }).catch((e: { code: number; stderr: string }) => e);
    expect('code' in failed && failed.code).toBe(1);
    expect('stderr' in failed && failed.stderr).toMatch(/^refused missing\.csv: .*missing\.csv/);
  }, 30_000);
});
