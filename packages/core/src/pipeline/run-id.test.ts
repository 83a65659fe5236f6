import { describe, expect, it } from 'vitest';
import { assertValidRunId, newRunId, runLogKey } from './run-id.js';

describe('run ids', () => {
  it('formats the start time filename-safe with a random suffix', () => {
    const id = newRunId(new Date('2025-01-31T23:07:42.123Z'));
    expect(id).toMatch(/^2025-01-31T23-07-42-123Z-[a-z0-9]{6}$/);
    expect(id).not.toBe(newRunId(new Date('2025-01-31T23:07:42.123Z')));
  });
  it('sorts by start time', () => {
    const ids = ['2025-01-31T23:07:42.123Z', '2025-02-01T00:00:00.000Z', '2024-12-31T23:59:59.999Z'].map((t) => newRunId(new Date(t)));
    expect([...ids].sort()).toEqual([ids[2], ids[0], ids[1]]);
  });
  it('builds the run log key and refuses unsafe ids', () => {
    expect(runLogKey('nightly-2025.01_31')).toBe('_state/runs/nightly-2025.01_31.json');
    for (const bad of ['', '../x', 'a/b', '.hidden', 'a b', 'x'.repeat(201)]) {
      expect(() => assertValidRunId(bad), bad).toThrow(/Invalid run id/);
    }
  });
});
