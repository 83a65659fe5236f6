import { hostname } from 'node:os';

/**
 * Whether process `pid` of this host exists: `process.kill(pid, 0)` succeeds, or fails with
 * `EPERM` (it exists but belongs to another user). Only `ESRCH` means it is gone.
 *
 * @example
 * ```ts
 * isProcessAlive(process.pid); // true
 * ```
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: unknown } | null)?.code !== 'ESRCH';
  }
}

/**
 * The owner name lakeblocks records in leases, lock files and temp-file names: `<hostname>:<pid>`.
 *
 * @example
 * ```ts
 * localOwner(); // 'build-7:41233'
 * ```
 */
export function localOwner(pid: number = process.pid): string {
  return `${hostname()}:${pid}`;
}

/**
 * Whether `host`/`pid` names a process of *this* host that provably no longer runs: the host
 * equals `os.hostname()`, the pid is a positive integer other than our own, and
 * `process.kill(pid, 0)` fails with `ESRCH`. Anything else — another host, an unparsable owner, a
 * live pid (even one reused by an unrelated process) — is `false`, so callers fall back to their
 * time-based expiry. Caveat: processes in *different pid namespaces* that share a hostname (two
 * containers started with the same `--hostname` on one lake directory) would see each other as
 * dead; give such containers distinct hostnames or explicit owner names without a pid.
 *
 * @example
 * ```ts
 * if (isDeadLocalProcess(lock.host, lock.pid)) await rm(lockPath);
 * ```
 */
export function isDeadLocalProcess(host: string | undefined, pid: number): boolean {
  return host === hostname() && Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && !isProcessAlive(pid);
}

/**
 * {@link isDeadLocalProcess} for an owner string `<hostname>:<pid>` (as written by
 * {@link localOwner}); owners in any other form are never dead.
 *
 * @example
 * ```ts
 * isDeadLocalOwner(`${hostname()}:999999`); // true when no process 999999 runs here
 * isDeadLocalOwner('worker-1'); // false
 * ```
 */
export function isDeadLocalOwner(owner: string): boolean {
  const colon = owner.lastIndexOf(':');
  if (colon <= 0) return false;
  const pidText = owner.slice(colon + 1);
  if (!/^[1-9][0-9]{0,9}$/.test(pidText)) return false;
  return isDeadLocalProcess(owner.slice(0, colon), Number(pidText));
}
