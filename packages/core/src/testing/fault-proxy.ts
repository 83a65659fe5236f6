import { createServer, request as httpRequest, Agent } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../s3/create-s3-client.js';
import { startS3rver } from './s3rver.js';
import type { S3rverHandle, StartS3rverOptions } from './s3rver.js';

/**
 * What an S3 request does, as the proxy classifies it from its method and query string
 * (path-style addressing, `/bucket/key?…`).
 *
 * @example
 * ```ts
 * const kinds: S3RequestKind[] = ['upload-part', 'complete-multipart'];
 * ```
 */
export type S3RequestKind =
  | 'put'
  | 'get'
  | 'head'
  | 'list'
  | 'delete'
  | 'create-multipart'
  | 'upload-part'
  | 'complete-multipart'
  | 'abort-multipart'
  | 'other';

/**
 * A fault the proxy injects into one request.
 *
 * - `error`: the request never reaches the server; the client gets `status` with an S3 XML error
 *   body (`<Error><Code>…`), after its request body has been read.
 * - `delay` `request`: wait `ms` before forwarding (if the client gives up meanwhile, nothing is
 *   forwarded). `response`: forward at once, the server acts, then wait `ms` before the response
 *   headers (a client that times out has lost a response to a request that did land). `body`:
 *   headers at once, then the body in slices spread over `ms`.
 * - `drop` `request`: the connection is destroyed after the first chunk of the request body (or at
 *   once without a body); the server never sees the request. `response`: the request is forwarded
 *   and acted on, then the connection is destroyed after half the response body (before any
 *   byte when the body is empty): the write landed, its answer is lost.
 *
 * @example
 * ```ts
 * const f: Fault = { type: 'error', status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' };
 * ```
 */
export type Fault =
  | { type: 'error'; status: number; code: string; message?: string }
  | { type: 'delay'; ms: number; phase: 'request' | 'response' | 'body' }
  | { type: 'drop'; phase: 'request' | 'response' };

/**
 * Ready-made {@link Fault}s.
 *
 * @example
 * ```ts
 * const rules: FaultRule[] = [{ kinds: ['put'], fault: faults.slowDown(), at: [1, 2] }];
 * ```
 */
export const faults = {
  /** 500 `InternalError`. */
  internalError: (): Fault => ({ type: 'error', status: 500, code: 'InternalError', message: 'We encountered an internal error. Please try again.' }),
  /** 503 `SlowDown`, S3's throttling answer. */
  slowDown: (): Fault => ({ type: 'error', status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' }),
  /** 503 `ServiceUnavailable`. */
  serviceUnavailable: (): Fault => ({ type: 'error', status: 503, code: 'ServiceUnavailable', message: 'Service is unable to handle request.' }),
  /** 403 `AccessDenied` (not retryable). */
  accessDenied: (): Fault => ({ type: 'error', status: 403, code: 'AccessDenied', message: 'Access Denied' }),
  /** Wait before forwarding. */
  delayRequest: (ms: number): Fault => ({ type: 'delay', ms, phase: 'request' }),
  /** Forward, then wait before answering. */
  delayResponse: (ms: number): Fault => ({ type: 'delay', ms, phase: 'response' }),
  /** Trickle the response body over `ms`. */
  slowBody: (ms: number): Fault => ({ type: 'delay', ms, phase: 'body' }),
  /** Destroy the connection mid-request; the server never sees it. */
  dropRequest: (): Fault => ({ type: 'drop', phase: 'request' }),
  /** Let the server act, then destroy the connection mid-response. */
  dropResponse: (): Fault => ({ type: 'drop', phase: 'response' }),
};

/**
 * When to inject a fault. Requests are matched against the rules in order; the first rule that
 * fires applies. A rule counts the requests matching its `kinds` (and `key`), 1-based:
 * - with `at`, it fires exactly on those counts (a scripted schedule);
 * - with `probability`, it fires when a draw from a PRNG seeded by `(seed, rule index, count)`
 *   falls below it — the same seed gives the same faults on the same sequence of requests;
 * - with neither, on every match.
 * `limit` caps how many times it fires.
 *
 * @example
 * ```ts
 * const rule: FaultRule = { kinds: ['upload-part'], fault: faults.dropRequest(), probability: 0.3, limit: 5 };
 * ```
 */
export interface FaultRule {
  /** Request kinds this rule looks at (default: all). */
  kinds?: readonly S3RequestKind[];
  /** Only keys (without the bucket) matching this. */
  key?: RegExp;
  fault: Fault;
  /** 1-based match counts on which to fire. */
  at?: readonly number[];
  /** Chance to fire on each match, drawn from the seeded PRNG. */
  probability?: number;
  /** Fire at most this many times. */
  limit?: number;
}

/**
 * Options of {@link startFaultProxy}.
 *
 * @example
 * ```ts
 * const options: FaultProxyOptions = { target: s3.endpoint, seed: 42, rules: [{ fault: faults.internalError(), probability: 0.2 }] };
 * ```
 */
export interface FaultProxyOptions {
  /** The S3 endpoint to forward to, `http://127.0.0.1:<port>`. */
  target: string;
  rules?: readonly FaultRule[];
  /** Seed of the probability draws (default 1). */
  seed?: number;
}

/**
 * One request the proxy saw.
 *
 * @example
 * ```ts
 * const e: FaultProxyEvent = { seq: 1, kind: 'put', method: 'PUT', key: 'a.txt', fault: 'error 503 SlowDown', status: 503 };
 * ```
 */
export interface FaultProxyEvent {
  /** 1-based arrival order. */
  seq: number;
  kind: S3RequestKind;
  method: string;
  /** Object key without the bucket (`''` for bucket requests). */
  key: string;
  /** The injected fault, described (`drop response`, `error 503 SlowDown` …). */
  fault?: string;
  /** Status sent to the client (or received from the server before a dropped response). */
  status?: number;
  /** The multipart upload concerned (from the query string, or the CreateMultipartUpload answer). */
  uploadId?: string;
}

/**
 * Multipart uploads as the proxy saw them. `dangling` lists uploads whose id reached the client
 * and that were neither completed nor asked to be aborted: a client bug, since only the client can
 * clean them up. `orphaned` lists uploads created on the server whose id never reached the client
 * (its CreateMultipartUpload response was lost); only a lifecycle rule can remove those.
 *
 * @example
 * ```ts
 * expect(proxy.multipartUploads().dangling).toEqual([]);
 * ```
 */
export interface MultipartUploadReport {
  created: string[];
  completed: string[];
  abortRequested: string[];
  dangling: string[];
  orphaned: string[];
}

/**
 * A running fault-injecting proxy, from {@link startFaultProxy}.
 *
 * @example
 * ```ts
 * proxy.setRules([{ kinds: ['list'], fault: faults.slowDown(), at: [1] }]);
 * const page = await storage.list('');
 * proxy.injected(); // 1
 * ```
 */
export interface FaultProxyHandle {
  /** `http://127.0.0.1:<port>` of the proxy. */
  endpoint: string;
  /** A client for the proxy (path-style, `S3RVER` credentials, `maxAttempts: 1`), destroyed on close. */
  client: S3Client;
  /** Every request seen, in arrival order. */
  readonly events: readonly FaultProxyEvent[];
  /** Replaces the rules (and optionally the seed) and restarts their counts; events are kept. */
  setRules(rules: readonly FaultRule[], seed?: number): void;
  /** How many faults were injected, optionally only of one kind of request. */
  injected(kind?: S3RequestKind): number;
  multipartUploads(): MultipartUploadReport;
  /** Stops the proxy and destroys its client and open connections. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Starts an HTTP proxy on 127.0.0.1 (a free port) in front of an S3-compatible server such as
 * s3rver ({@link startS3rver}) that injects faults into chosen requests: 500s, 503 `SlowDown` with
 * S3's XML error body, slow requests, responses and bodies, and connections dropped mid-request or
 * mid-response — on a scripted schedule (`at`) or at random with a fixed seed. Requests are
 * forwarded unchanged (Host header included, so SigV4 signatures stay valid). Test-only.
 *
 * @example
 * ```ts
 * const s3 = await startS3rver();
 * const proxy = await startFaultProxy({
 *   target: s3.endpoint,
 *   rules: [{ kinds: ['upload-part'], fault: faults.dropRequest(), at: [2] }],
 * });
 * const storage = new S3Storage(`s3://${s3.bucket}/t`, { client: proxy.client });
 * // … storage.putStream(…) retries the dropped part …
 * await proxy.close();
 * await s3.close();
 * ```
 */
export async function startFaultProxy(options: FaultProxyOptions & { requestTimeoutMs?: number }): Promise<FaultProxyHandle> {
  const target = new URL(options.target);
  const upstreamAgent = new Agent({ keepAlive: true, maxSockets: 64 });
  let rules: readonly FaultRule[] = options.rules ?? [];
  let seed = options.seed ?? 1;
  let matches: number[] = rules.map(() => 0);
  let fired: number[] = rules.map(() => 0);
  const events: FaultProxyEvent[] = [];
  const uploads = new Map<string, { announced: boolean; completed: boolean; abortRequested: boolean }>();
  const sockets = new Set<Socket>();

  const choose = (kind: S3RequestKind, key: string): Fault | undefined => {
    let chosen: Fault | undefined;
    rules.forEach((rule, i) => {
      if (rule.kinds && !rule.kinds.includes(kind)) return;
      if (rule.key && !rule.key.test(key)) return;
      const n = (matches[i] = (matches[i] ?? 0) + 1);
      if (chosen) return;
      if (rule.limit !== undefined && (fired[i] ?? 0) >= rule.limit) return;
      const fires = rule.at ? rule.at.includes(n) : rule.probability !== undefined ? draw(seed, i, n) < rule.probability : true;
      if (!fires) return;
      fired[i] = (fired[i] ?? 0) + 1;
      chosen = rule.fault;
    });
    return chosen;
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const { kind, key, bucket } = classify(req.method ?? 'GET', url);
    const fault = choose(kind, key);
    const event: FaultProxyEvent = { seq: events.length + 1, kind, method: req.method ?? 'GET', key };
    if (fault) event.fault = describe(fault);
    events.push(event);
    const uploadId = url.searchParams.get('uploadId') ?? undefined;
    if (uploadId !== undefined) event.uploadId = uploadId;
    if (kind === 'abort-multipart' && uploadId !== undefined) {
      const u = uploads.get(uploadId);
      if (u) u.abortRequested = true;
    }

    if (fault?.type === 'error') {
      drain(req, () => {
        event.status = fault.status;
        const body =
          req.method === 'HEAD'
            ? ''
            : `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${fault.code}</Code><Message>${fault.message ?? fault.code}</Message>` +
              `<Resource>/${bucket}${key === '' ? '' : `/${key}`}</Resource><RequestId>FAULT${event.seq}</RequestId></Error>`;
        res.writeHead(fault.status, {
          'Content-Type': 'application/xml',
          'Content-Length': Buffer.byteLength(body),
          'x-amz-request-id': `FAULT${event.seq}`,
        });
        res.end(body);
      });
      return;
    }
    if (fault?.type === 'drop' && fault.phase === 'request') {
      const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
      if (!hasBody) {
        req.socket.destroy();
        return;
      }
      req.once('data', () => req.socket.destroy());
      req.once('end', () => req.socket.destroy());
      return;
    }

    // The request body is read whole before anything is forwarded, and a forwarded request is
    // never cut: like S3, the server acts on a complete request or not at all. (s3rver itself
    // would store a truncated object or part from a request cut mid-body.)
    const forward = (body: Buffer) => {
      if (req.socket.destroyed) return; // the client gave up while we waited
      const upstream = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
          agent: upstreamAgent,
        },
        (up) => respond(up),
      );
      upstream.on('error', () => req.socket.destroy());
      upstream.end(body);
    };

    const respond = (up: IncomingMessage) => {
      event.status = up.statusCode ?? 502;
      const parts: Buffer[] = [];
      // Bodies are read whole before they are sent on (test objects are small): a response-side
      // fault then knows the body's length, and multipart upload ids can be tracked.
      up.on('data', (chunk: Buffer) => parts.push(chunk));
      up.on('error', () => req.socket.destroy());
      up.on('end', () => {
        const body = Buffer.concat(parts);
        const ok = event.status === 200 && !/<Error>/.test(body.toString('utf8'));
        let created: string | undefined;
        if (kind === 'create-multipart' && ok) {
          created = /<UploadId>([^<]+)<\/UploadId>/.exec(body.toString('utf8'))?.[1];
          if (created) {
            uploads.set(created, { announced: false, completed: false, abortRequested: false });
            event.uploadId = created;
          }
        }
        if (kind === 'complete-multipart' && ok && uploadId !== undefined) {
          const u = uploads.get(uploadId);
          if (u) u.completed = true;
        }
        void send(up.statusCode ?? 502, up.headers, body).then((delivered) => {
          if (delivered && created) {
            const u = uploads.get(created);
            if (u) u.announced = true;
          }
        });
      });
    };

    /** Sends the (fully read) upstream response, applying a response-side fault; resolves whether it was delivered whole. */
    const send = async (status: number, headers: IncomingHttpHeaders, body: Buffer): Promise<boolean> => {
      if (req.socket.destroyed) return false;
      if (fault?.type === 'drop' && fault.phase === 'response') {
        if (body.byteLength > 1) {
          res.writeHead(status, headers);
          res.write(body.subarray(0, Math.floor(body.byteLength / 2)));
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        req.socket.destroy();
        return false;
      }
      if (fault?.type === 'delay' && fault.phase === 'response') await wait(fault.ms, req.socket);
      if (req.socket.destroyed) return false;
      res.writeHead(status, headers);
      if (fault?.type === 'delay' && fault.phase === 'body' && body.byteLength > 0) {
        const slices = 8;
        const step = Math.ceil(body.byteLength / slices);
        for (let at = 0; at < body.byteLength; at += step) {
          await wait(fault.ms / slices, req.socket);
          if (req.socket.destroyed) return false;
          res.write(body.subarray(at, at + step));
        }
      } else if (fault?.type === 'delay' && fault.phase === 'body') {
        await wait(fault.ms, req.socket);
      } else {
        res.write(body);
      }
      if (req.socket.destroyed) return false;
      await new Promise<void>((resolve) => res.end(resolve));
      return true;
    };

    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', () => req.socket.destroy());
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (fault?.type === 'delay' && fault.phase === 'request') void wait(fault.ms, req.socket).then(() => forward(body));
      else forward(body);
    });
  };

  const server: Server = createServer(handle);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const timeout = options.requestTimeoutMs ?? 10_000;
  const client = createS3Client({
    endpoint,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    connectionTimeoutMs: timeout,
    requestTimeoutMs: timeout,
    socketTimeoutMs: timeout,
  });
  let closing: Promise<void> | undefined;
  return {
    endpoint,
    client,
    events,
    setRules(next, nextSeed) {
      rules = next;
      if (nextSeed !== undefined) seed = nextSeed;
      matches = rules.map(() => 0);
      fired = rules.map(() => 0);
    },
    injected(kind) {
      return events.filter((e) => e.fault !== undefined && (kind === undefined || e.kind === kind)).length;
    },
    multipartUploads() {
      const all = [...uploads.entries()];
      const ids = (pick: (u: { announced: boolean; completed: boolean; abortRequested: boolean }) => boolean) =>
        all.filter(([, u]) => pick(u)).map(([id]) => id);
      return {
        created: ids(() => true),
        completed: ids((u) => u.completed),
        abortRequested: ids((u) => u.abortRequested),
        dangling: ids((u) => u.announced && !u.completed && !u.abortRequested),
        orphaned: ids((u) => !u.announced && !u.completed && !u.abortRequested),
      };
    },
    close() {
      closing ??= (async () => {
        client.destroy();
        for (const socket of sockets) socket.destroy();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        upstreamAgent.destroy();
      })();
      return closing;
    },
  };
}

/**
 * An s3rver with a {@link startFaultProxy} in front, from {@link startFaultyS3}.
 *
 * @example
 * ```ts
 * const { s3, proxy } = await startFaultyS3();
 * ```
 */
export interface FaultyS3Handle {
  s3: S3rverHandle;
  proxy: FaultProxyHandle;
  /** Closes the proxy, then the server. */
  close(): Promise<void>;
}

/**
 * Starts s3rver ({@link startS3rver}) and a {@link startFaultProxy} in front of it. Use
 * `proxy.client` for requests that should meet faults, `s3.client` to look behind the proxy.
 *
 * @example
 * ```ts
 * const { s3, proxy, close } = await startFaultyS3({ seed: 7, rules: [{ fault: faults.slowDown(), probability: 0.3 }] });
 * const storage = new S3Storage(`s3://${s3.bucket}/t`, { client: proxy.client });
 * await close();
 * ```
 */
export async function startFaultyS3(
  options: Omit<FaultProxyOptions, 'target'> & StartS3rverOptions = {},
): Promise<FaultyS3Handle> {
  const s3 = await startS3rver(options);
  let proxy: FaultProxyHandle;
  try {
    proxy = await startFaultProxy({ ...options, target: s3.endpoint });
  } catch (error) {
    await s3.close();
    throw error;
  }
  return {
    s3,
    proxy,
    async close() {
      try {
        await proxy.close();
      } finally {
        await s3.close();
      }
    },
  };
}

/** Classifies a path-style S3 request. */
function classify(method: string, url: URL): { kind: S3RequestKind; bucket: string; key: string } {
  const path = url.pathname.replace(/^\//, '');
  const slash = path.indexOf('/');
  const bucket = decodeURIComponent(slash < 0 ? path : path.slice(0, slash));
  const key = slash < 0 ? '' : decodeURIComponent(path.slice(slash + 1));
  const q = url.searchParams;
  const kind = ((): S3RequestKind => {
    switch (method) {
      case 'PUT':
        if (key === '') return 'other';
        return q.has('uploadId') && q.has('partNumber') ? 'upload-part' : 'put';
      case 'POST':
        if (q.has('uploads')) return 'create-multipart';
        if (q.has('uploadId')) return 'complete-multipart';
        if (q.has('delete')) return 'delete';
        return 'other';
      case 'DELETE':
        if (key === '') return 'other';
        return q.has('uploadId') ? 'abort-multipart' : 'delete';
      case 'GET':
        if (key === '') return q.has('uploads') ? 'other' : 'list';
        return q.has('uploadId') ? 'other' : 'get';
      case 'HEAD':
        return key === '' ? 'other' : 'head';
      default:
        return 'other';
    }
  })();
  return { kind, bucket, key };
}

function describe(fault: Fault): string {
  switch (fault.type) {
    case 'error':
      return `error ${fault.status} ${fault.code}`;
    case 'delay':
      return `delay ${fault.phase} ${fault.ms}ms`;
    case 'drop':
      return `drop ${fault.phase}`;
  }
}

/** Reads and discards a request body, then calls `done` (at once if the client went away). */
function drain(req: IncomingMessage, done: () => void): void {
  if (req.readableEnded) return done();
  req.on('end', done);
  req.on('error', () => req.socket.destroy());
  req.resume();
}

/** Waits `ms`, ending early when the socket closes. */
function wait(ms: number, socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve();
    const timer = setTimeout(done, ms);
    socket.once('close', done);
    function done() {
      clearTimeout(timer);
      socket.off('close', done);
      resolve();
    }
  });
}

/** A deterministic draw in [0, 1) from (seed, rule, count): a murmur-style mix of the three. */
function draw(seed: number, rule: number, count: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const v of [rule, count]) {
    h = Math.imul(h ^ v, 0x85ebca6b) >>> 0;
    h = (h ^ (h >>> 13)) >>> 0;
    h = Math.imul(h, 0xc2b2ae35) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
  }
  return h / 0x1_0000_0000;
}
