import { describe, expect, it } from 'vitest';
import type { PipelineEvent } from '@lakeblocks/core';
import { progressReporter } from './progress.js';

const base = { runId: 'r', pipeline: 'techstore', at: '2025-01-01T00:00:00.000Z', step: 'upload', index: 1, count: 6 };
const events: PipelineEvent[] = [
  { type: 'step-start', ...base },
  { type: 'step-progress', ...base, attempt: 1, done: 3, total: 6, unit: 'files', fraction: 0.5 },
  { type: 'step-end', ...base, status: 'succeeded', attempts: 1, durationMs: 1234 },
];

function render(isTTY: boolean): string {
  let text = '';
  const report = progressReporter({ isTTY, write: (t: string) => (text += t) });
  for (const e of events) report(e);
  return text;
}

describe('progressReporter', () => {
  it('draws a bar on a terminal', () => {
    const text = render(true);
    expect(text).toContain('[2/6] upload             [############------------]  50 % 3 / 6 files');
    expect(text).toMatch(/\r\x1b\[2K\[2\/6\] upload\s+\[#{24}\] 100 % done in 1\.2 s\n$/);
  });

  it('prints plain lines otherwise', () => {
    expect(render(false)).toBe('[2/6] upload             started\n[2/6] upload             done in 1.2 s\n');
  });
});
