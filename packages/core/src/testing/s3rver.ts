import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/**
 * A running s3rver, from {@link startS3rver}.
 *
 * @example
 * ```ts
 * const s3 = await startS3rver();
 * await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket }));
 * await s3.close();
 * ```
 */
export interface S3rverHandle {
  /** `http://127.0.0.1:<port>`. */
  endpoint: string;
  /** The bucket created at start. */
  bucket: string;
  /** A client for it: path-style, region `us-east-1`, credentials `S3RVER`/`S3RVER`, no SDK retries. */
  client: S3Client;
  /** Stops the server, destroys the client and deletes the server's temp directory. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Options of {@link startS3rver}.
 *
 * @example
 * ```ts
 * const s3 = await startS3rver({ bucket: 'bookmarks', requestTimeoutMs: 2_000 });
 * ```
 */
export interface StartS3rverOptions {
  /** Bucket to create (default `lake`). */
  bucket?: string;
  /** Timeouts of the returned client (default 10 000 ms). */
  requestTimeoutMs?: number;
  /** How long to wait for the server to start (default 20 000 ms). */
  startTimeoutMs?: number;
}

/**
 * Runs s3rver in a child process, so that it can be given `--openssl-legacy-provider`: s3rver 3.7
 * encrypts ListObjectsV2 continuation tokens with DES, which OpenSSL 3 (Node ≥ 17) refuses without
 * it, turning every truncated listing into a 500 (jamhall/s3rver#818). It prints `{"port":…}` once
 * listening, and exits when its stdin closes (the test process ended) or on SIGTERM.
 */
const SERVER_SCRIPT = `
const S3rver = require(process.env.LAKEBLOCKS_S3RVER_MODULE);
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory: process.env.LAKEBLOCKS_S3RVER_DIR,
  configureBuckets: [{ name: process.env.LAKEBLOCKS_S3RVER_BUCKET }],
});
const stop = () => server.close().catch(() => {}).then(() => process.exit(0));
process.on('SIGTERM', stop);
process.stdin.on('end', stop).resume();
server.run().then(
  (address) => process.stdout.write(JSON.stringify({ port: address.port }) + '\\n'),
  (error) => { process.stderr.write(String(error && error.stack || error) + '\\n'); process.exit(1); },
);
`;

/**
 * Starts an [s3rver](https://github.com/jamhall/s3rver) S3-compatible server for tests: on
 * 127.0.0.1 at a free port (port 0, the real port read back), storing into a fresh temp directory,
 * with one bucket; returns a ready client. Close it in `afterAll`.
 *
 * s3rver runs in a child Node process (see the note on OpenSSL above). It speaks enough S3 for
 * Get/Put/Head/Delete, ListObjectsV2 paging and multipart uploads, with known differences from AWS:
 * it ignores `If-None-Match` / `If-Match` on writes, lists keys in its directory-walk order rather
 * than byte order when keys contain characters sorting before `/` (such as `-` or `.`), and gives
 * multipart objects a plain MD5 ETag.
 *
 * @example
 * ```ts
 * import { S3Storage } from '../s3/index.js';
 * import { startS3rver, type S3rverHandle } from '../testing/s3rver.js';
 *
 * let s3: S3rverHandle;
 * beforeAll(async () => { s3 = await startS3rver(); });
 * afterAll(() => s3.close());
 * it('writes', async () => {
 *   const storage = new S3Storage(`s3://${s3.bucket}/my-test`, { client: s3.client });
 *   await storage.put('a.txt', 'hi');
 * });
 * ```
 */
export async function startS3rver(options: StartS3rverOptions = {}): Promise<S3rverHandle> {
  const bucket = options.bucket ?? 'lake';
  const directory = await mkdtemp(join(tmpdir(), 'lakeblocks-s3rver-'));
  let child: ChildProcess | undefined;
  let port: number;
  try {
    try {
      ({ child, port } = await spawnServer(bucket, directory, options.startTimeoutMs ?? 20_000, ['--openssl-legacy-provider']));
    } catch (error) {
      // A Node without the flag: run without it (listings that need a continuation token will fail).
      if (!/bad option|not allowed|unknown option/i.test(String(error))) throw error;
      ({ child, port } = await spawnServer(bucket, directory, options.startTimeoutMs ?? 20_000, []));
    }
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  const endpoint = `http://127.0.0.1:${port}`;
  const timeout = options.requestTimeoutMs ?? 10_000;
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    maxAttempts: 1,
    // s3rver predates the flexible-checksum headers; send them only when an operation needs them.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: new NodeHttpHandler({
      connectionTimeout: timeout,
      requestTimeout: timeout,
      throwOnRequestTimeout: true,
      socketTimeout: timeout,
    }),
  });
  const server = child;
  let closing: Promise<void> | undefined;
  return {
    endpoint,
    bucket,
    client,
    close() {
      closing ??= (async () => {
        client.destroy();
        try {
          await stopChild(server);
        } finally {
          await rm(directory, { recursive: true, force: true });
        }
      })();
      return closing;
    },
  };
}

async function spawnServer(
  bucket: string,
  directory: string,
  startTimeoutMs: number,
  nodeFlags: string[],
): Promise<{ child: ChildProcess; port: number }> {
  const env = {
    ...process.env,
    LAKEBLOCKS_S3RVER_MODULE: createRequire(import.meta.url).resolve('s3rver'),
    LAKEBLOCKS_S3RVER_DIR: directory,
    LAKEBLOCKS_S3RVER_BUCKET: bucket,
  };
  const child = spawn(process.execPath, [...nodeFlags, '-e', SERVER_SCRIPT], {
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    stderr = (stderr + text).slice(-4000);
  });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`s3rver did not start within ${startTimeoutMs} ms. ${stderr}`)), startTimeoutMs);
      const lines = createInterface({ input: child.stdout! });
      lines.once('line', (line) => {
        clearTimeout(timer);
        lines.close();
        try {
          resolve((JSON.parse(line) as { port: number }).port);
        } catch {
          reject(new Error(`Unexpected s3rver output: ${line}`));
        }
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`s3rver exited with code ${code} before listening. ${stderr}`));
      });
    });
    child.stdout?.resume(); // never let its output fill the pipe
    return { child, port };
  } catch (error) {
    await stopChild(child);
    throw error;
  }
}

/** SIGTERM, then SIGKILL if the child has not exited after 5 s. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
  child.stdin?.destroy();
}
