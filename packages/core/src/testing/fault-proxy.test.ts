import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3ServiceException } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { faults, startFaultyS3, type FaultyS3Handle } from './fault-proxy.js';

let env: FaultyS3Handle;
beforeAll(async () => {
  env = await startFaultyS3({ requestTimeoutMs: 5_000 });
});
afterAll(() => env?.close());
beforeEach(() => env.proxy.setRules([]));

let n = 0;
const freshKey = () => `proxy-test/k${++n}.txt`;

async function putVia(client: typeof env.s3.client, key: string, body: string) {
  return client.send(new PutObjectCommand({ Bucket: env.s3.bucket, Key: key, Body: body, ContentLength: Buffer.byteLength(body) }));
}

/** Whether the object exists on the server, asked past the proxy. */
async function landed(key: string): Promise<boolean> {
  try {
    await env.s3.client.send(new HeadObjectCommand({ Bucket: env.s3.bucket, Key: key }));
    return true;
  } catch (error) {
    if ((error as S3ServiceException).$metadata?.httpStatusCode === 404) return false;
    throw error;
  }
}

describe('startFaultProxy', () => {
  it('forwards untouched requests (signatures stay valid) and classifies them', async () => {
    const key = freshKey();
    await putVia(env.proxy.client, key, 'hello');
    const out = await env.proxy.client.send(new GetObjectCommand({ Bucket: env.s3.bucket, Key: key }));
    expect(await out.Body?.transformToString()).toBe('hello');
    expect(env.proxy.events.slice(-2).map((e) => [e.kind, e.key, e.status, e.fault])).toEqual([
      ['put', key, 200, undefined],
      ['get', key, 200, undefined],
    ]);
  });

  it('answers 503 SlowDown with an S3 XML error body the SDK parses, without reaching the server', async () => {
    const key = freshKey();
    env.proxy.setRules([{ kinds: ['put'], fault: faults.slowDown(), at: [1] }]);
    const error = await putVia(env.proxy.client, key, 'x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(S3ServiceException);
    expect((error as S3ServiceException).name).toBe('SlowDown');
    expect((error as S3ServiceException).$metadata.httpStatusCode).toBe(503);
    expect((error as S3ServiceException).message).toBe('Please reduce your request rate.');
    expect(await landed(key)).toBe(false);
    await putVia(env.proxy.client, key, 'x'); // the schedule said: only the first
    expect(await landed(key)).toBe(true);
    expect(env.proxy.injected('put')).toBeGreaterThanOrEqual(1);
  });

  it('drops a request before the server sees it, and a response after the server acted', async () => {
    const lost = freshKey();
    env.proxy.setRules([{ kinds: ['put'], fault: faults.dropRequest() }]);
    await expect(putVia(env.proxy.client, lost, 'never')).rejects.toThrow();
    expect(await landed(lost)).toBe(false);

    const landedKey = freshKey();
    env.proxy.setRules([{ kinds: ['put'], fault: faults.dropResponse() }]);
    await expect(putVia(env.proxy.client, landedKey, 'written')).rejects.toThrow();
    expect(await landed(landedKey)).toBe(true);

    const readKey = freshKey();
    await putVia(env.s3.client, readKey, 'a body long enough to be cut in half');
    env.proxy.setRules([{ kinds: ['get'], fault: faults.dropResponse() }]);
    await expect(
      env.proxy.client.send(new GetObjectCommand({ Bucket: env.s3.bucket, Key: readKey })).then((o) => o.Body?.transformToString()),
    ).rejects.toThrow();
  });

  it('delays: a client timeout on a delayed response leaves the write landed; a slow body arrives whole, late', async () => {
    const { startFaultProxy } = await import('./fault-proxy.js');
    const impatient = await startFaultProxy({
      target: env.s3.endpoint,
      requestTimeoutMs: 300,
      rules: [{ kinds: ['put'], fault: faults.delayResponse(1_500) }],
    });
    try {
      const key = freshKey();
      await expect(putVia(impatient.client, key, 'slow')).rejects.toThrow();
      expect(await landed(key)).toBe(true);
    } finally {
      await impatient.close();
    }

    const key = freshKey();
    await putVia(env.s3.client, key, 'x'.repeat(10_000));
    env.proxy.setRules([{ kinds: ['get'], fault: faults.slowBody(400) }]);
    const started = Date.now();
    const out = await env.proxy.client.send(new GetObjectCommand({ Bucket: env.s3.bucket, Key: key }));
    expect(await out.Body?.transformToString()).toBe('x'.repeat(10_000));
    expect(Date.now() - started).toBeGreaterThanOrEqual(300); // a lower bound: the body really trickled
  });

  it('draws the same faults from the same seed, other faults from another seed, and honours limit', async () => {
    const run = async (seed: number) => {
      env.proxy.setRules([{ kinds: ['head'], fault: faults.internalError(), probability: 0.5 }], seed);
      const from = env.proxy.events.length;
      for (let i = 0; i < 24; i++) await env.proxy.client.send(new HeadObjectCommand({ Bucket: env.s3.bucket, Key: 'nope' })).catch(() => undefined);
      return env.proxy.events.slice(from).map((e) => (e.fault ? 1 : 0)).join('');
    };
    const a = await run(7);
    expect(await run(7)).toBe(a);
    expect(await run(8)).not.toBe(a);
    expect(a).toMatch(/1/);
    expect(a).toMatch(/0/);

    env.proxy.setRules([{ kinds: ['head'], fault: faults.internalError(), limit: 2 }]);
    const from = env.proxy.events.length;
    for (let i = 0; i < 5; i++) await env.proxy.client.send(new HeadObjectCommand({ Bucket: env.s3.bucket, Key: 'nope' })).catch(() => undefined);
    expect(env.proxy.events.slice(from).map((e) => e.status)).toEqual([500, 500, 404, 404, 404]);
  });
});
