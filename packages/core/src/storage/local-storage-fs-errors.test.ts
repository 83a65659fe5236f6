/**
 * How LocalStorage classifies file-system failures it cannot provoke for real in every environment:
 * as root (CI containers) permissions are not enforced, so EACCES is injected into `open` here.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CoreError } from '../errors/core-error.js';
import { LocalStorage } from './local-storage.js';

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  const fail = (code: string, path: string) =>
    Object.assign(new Error(`${code}: injected failure, open '${path}'`), { code, syscall: 'open', path });
  return {
    ...actual,
    open: async (...args: Parameters<typeof actual.open>) => {
      const path = String(args[0]);
      if (path.includes(`${sep}denied${sep}`)) throw fail('EACCES', path);
      if (path.includes(`${sep}busy${sep}`)) throw fail('EMFILE', path);
      return actual.open(...args);
    },
  };
});

describe('LocalStorage file-system errors', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lakeblocks-fserr-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('maps a permission error to a non-retryable StorageFailure naming the key, leaving nothing behind', async () => {
    const error = await new LocalStorage(dir).put('denied/x.txt', 'x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CoreError);
    expect((error as CoreError)._tag).toBe('StorageFailure');
    expect((error as CoreError).isRetryable).toBe(false);
    expect((error as CoreError).message).toContain('EACCES');
    expect((error as CoreError).message).toContain('denied/x.txt');
    expect(await readdir(join(dir, 'denied'))).toEqual([]);
  });

  it('maps running out of file descriptors to a retryable StorageFailure', async () => {
    const error = await new LocalStorage(dir).put('busy/x.txt', 'x').catch((e: unknown) => e);
    expect((error as CoreError)._tag).toBe('StorageFailure');
    expect((error as CoreError).isRetryable).toBe(true);
  });
});
