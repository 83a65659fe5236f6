import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AwsOptionsError, resolveAws } from '../pipeline/aws/aws-options.js';
import { main } from './main.js';

function capture() {
  const out = { stdout: '', stderr: '' };
  const io = { stdout: { write: (t: string) => (out.stdout += t) }, stderr: { isTTY: false, write: (t: string) => (out.stderr += t) } };
  return { out, io };
}

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const saved: Record<string, string | undefined> = {};
const ENV = ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_SECRET_ACCESS_KEY', 'AWS_ACCESS_KEY_ID'];

describe('techstore CLI AWS flags', () => {
  beforeEach(() => {
    for (const k of ENV) saved[k] = process.env[k];
    delete process.env['AWS_REGION'];
    delete process.env['AWS_DEFAULT_REGION'];
    process.env['AWS_ACCESS_KEY_ID'] = 'AKIAIOSFODNN7EXAMPLE';
    process.env['AWS_SECRET_ACCESS_KEY'] = SECRET;
  });
  afterEach(() => {
    for (const k of ENV) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });

  /** Runs the CLI; expects a usage error (exit 2) and returns its first stderr line. */
  async function usageError(argv: string[]): Promise<string> {
    const c = capture();
    expect(await main(argv, c.io), c.out.stderr).toBe(2);
    expect(c.out.stderr).toContain('Run "pnpm techstore --help" for usage.');
    expect(c.out.stderr + c.out.stdout).not.toContain(SECRET);
    expect(c.out.stderr + c.out.stdout).not.toContain('AKIAIOSFODNN7EXAMPLE');
    return c.out.stderr.split('\n')[0] ?? '';
  }

  it('refuses bad combinations before touching anything, saying what to pass', async () => {
    expect(await usageError(['run', '--lake', 's3://my-lake/ts', '--glue-database', 'ts', '--athena-workgroup', 'wg'])).toBe(
      'techstore run: an s3:// lake needs a region: pass --region (e.g. --region eu-west-1) or set AWS_REGION',
    );
    expect(await usageError(['run', '--lake', 's3://my-lake/ts', '--region', 'eu-west-1'])).toMatch(
      /^techstore run: an s3:\/\/ lake runs its models and queries on Athena: pass --glue-database NAME and --athena-workgroup NAME .*DuckDB engine cannot read s3:\/\//,
    );
    expect(await usageError(['run', '--lake', 's3://my-lake/ts', '--region', 'eu-west-1', '--athena-workgroup', 'wg'])).toMatch(/pass --glue-database NAME with --athena-workgroup/);
    expect(await usageError(['run', '--lake', './local-lake', '--glue-database', 'ts', '--region', 'eu-west-1'])).toMatch(
      /^techstore run: --region, --glue-database need an S3 lake \(--lake s3:\/\/bucket\/prefix\); ".*local-lake" is a local directory$/,
    );
    expect(await usageError(['run', '--lake', 's3://my-lake/ts', '--region', 'eu-west-1', '--glue-database', 'Tech-Store', '--athena-workgroup', 'wg'])).toMatch(/--glue-database must match/);
    expect(await usageError(['run', '--lake', 's3://my-lake/ts', '--region', 'eu-west-1', '--glue-database', 'ts', '--athena-output', '/tmp/results'])).toMatch(/--athena-output must be an s3:\/\//);
    expect(await usageError(['run', '--lake', 's3://my-lake/ts', '--region', 'europe', '--glue-database', 'ts', '--athena-workgroup', 'wg'])).toMatch(/--region "europe" is not an AWS region name/);
    expect(await usageError(['run', '--lake', 's3://my-lake/ts', '--endpoint', 'localhost:9000', '--glue-database', 'ts', '--athena-workgroup', 'wg'])).toMatch(/--endpoint must be an http:\/\/ or https:\/\/ URL/);
    expect(await usageError(['run', '--lake', 's3://My_Lake/ts', '--region', 'eu-west-1', '--glue-database', 'ts', '--athena-workgroup', 'wg'])).toMatch(/is not a valid s3:\/\/bucket\/prefix/);
    // --mysql works with an s3:// lake; a bad URL is refused before AWS is touched, password redacted.
    const athenaFlags = ['--lake', 's3://my-lake/ts', '--region', 'eu-west-1', '--glue-database', 'ts', '--athena-workgroup', 'wg'];
    expect(await usageError(['run', ...athenaFlags, '--mysql', `mysql://etl:${SECRET}@db:3306/shop`])).toMatch(/^techstore run: mysql-load: --mysql /);
    expect(await usageError(['run', ...athenaFlags, '--mysql', 'postgres://etl:pa55word@db:3306/shop'])).toBe('techstore run: mysql-load: --mysql postgres://etl:***@db:3306/shop: the scheme must be mysql:// (expected mysql://user[:password]@host[:port]/database)');
    expect(await usageError(['query', '--lake', 's3://my-lake/ts', '--region', 'eu-west-1', 'SELECT 1'])).toMatch(/^techstore query: an s3:\/\/ lake runs its models and queries on Athena/);
    expect(await usageError(['upload', '--lake', 's3://my-lake/ts', 'orders.csv'])).toMatch(/^techstore upload: an s3:\/\/ lake needs a region/);
    // watch takes an s3:// lake with the same flags as run (it reruns run), checked before any listing.
    expect(await usageError(['watch', '--lake', 's3://my-lake/ts'])).toBe('techstore watch: an s3:// lake needs a region: pass --region (e.g. --region eu-west-1) or set AWS_REGION');
    expect(await usageError(['watch', '--lake', 's3://my-lake/ts', '--region', 'eu-west-1'])).toMatch(/^techstore watch: an s3:\/\/ lake runs its models and queries on Athena/);
    expect(await usageError(['watch', '--lake', './local-lake', '--endpoint', 'http://127.0.0.1:9000'])).toMatch(/^techstore watch: --endpoint needs an S3 lake/);
    expect(await usageError(['watch', '--lake', 's3://my-lake/ts', '--region', 'eu-west-1', '--glue-database', 'ts', '--athena-workgroup', 'wg', '--list-timeout', '0'])).toMatch(
      /^techstore watch: --list-timeout must be a positive number/,
    );
  });

  it('documents the flags in run --help and watch --help', async () => {
    for (const command of ['run', 'watch']) {
      const c = capture();
      expect(await main([command, '--help'], c.io)).toBe(0);
      for (const flag of ['--region R', '--endpoint URL', '--glue-database NAME', '--athena-workgroup WG', '--athena-output S3URI']) expect(c.out.stdout, command).toContain(flag);
    }
  });
});

describe('resolveAws', () => {
  it('a local lake without AWS options: nothing to resolve', () => {
    expect(resolveAws('/tmp/lake', {}, 'athena', {})).toBeUndefined();
  });

  it('takes the region from the flag, then AWS_REGION, then AWS_DEFAULT_REGION; an endpoint defaults it to us-east-1', () => {
    const athena = { glueDatabase: 'ts', athenaWorkgroup: 'wg' };
    expect(resolveAws('s3://lake/ts', { ...athena, region: 'eu-west-1' }, 'athena', { AWS_REGION: 'us-west-2' })?.region).toBe('eu-west-1');
    expect(resolveAws('s3://lake/ts', athena, 'athena', { AWS_REGION: 'us-west-2', AWS_DEFAULT_REGION: 'ap-south-1' })?.region).toBe('us-west-2');
    expect(resolveAws('s3://lake/ts', athena, 'athena', { AWS_DEFAULT_REGION: 'ap-south-1' })?.region).toBe('ap-south-1');
    expect(resolveAws('s3://lake/ts', { endpoint: 'http://127.0.0.1:9000' }, 'storage', {})).toEqual({ lake: 's3://lake/ts', endpoint: 'http://127.0.0.1:9000', region: 'us-east-1' });
  });

  it('upload needs only storage; s3a:// is read as s3://', () => {
    expect(resolveAws('s3a://lake/ts/', { region: 'eu-west-1' }, 'storage', {})).toEqual({ lake: 's3://lake/ts/', region: 'eu-west-1' });
    expect(() => resolveAws('s3://lake/ts', { region: 'eu-west-1' }, 'athena', {})).toThrow(AwsOptionsError);
  });
});
