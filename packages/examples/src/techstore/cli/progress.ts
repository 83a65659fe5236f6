/**
 * Progress of pipeline steps on stderr: a redrawn bar per step on a terminal, plain lines
 * (start and end of each step) otherwise.
 *
 * @module
 */
import type { PipelineEvent } from '@lakeblocks/core';

const WIDTH = 24;

/**
 * A pipeline event listener drawing progress on `stream`.
 *
 * @example
 * ```ts
 * await pipeline.run({ onEvent: progressReporter(process.stderr) });
 * ```
 */
export function progressReporter(stream: NodeJS.WriteStream | { isTTY?: boolean; write(text: string): unknown }): (event: PipelineEvent) => void {
  const tty = stream.isTTY === true;
  const label = (index: number, count: number, step: string) => `[${index + 1}/${count}] ${step.padEnd(18)}`;
  return (event) => {
    switch (event.type) {
      case 'step-start':
        stream.write(tty ? `${label(event.index, event.count, event.step)} …` : `${label(event.index, event.count, event.step)} started\n`);
        break;
      case 'step-progress': {
        if (!tty) break;
        const fraction = event.fraction;
        const bar = fraction === undefined ? '' : `[${'#'.repeat(Math.round(fraction * WIDTH)).padEnd(WIDTH, '-')}] ${String(Math.floor(fraction * 100)).padStart(3)} %`;
        const count =
          event.total === undefined
            ? amount(event.done, event.unit)
            : event.unit === 'bytes'
              ? `${amount(event.done, event.unit)} / ${amount(event.total, event.unit)}`
              : `${amount(event.done, undefined)} / ${amount(event.total, event.unit)}`;
        stream.write(`\r\x1b[2K${label(event.index, event.count, event.step)} ${bar} ${count}`);
        break;
      }
      case 'step-retry':
        stream.write(`${tty ? '\r\x1b[2K' : ''}${label(event.index, event.count, event.step)} attempt ${event.attempt} failed (${event.error.message}); retrying\n`);
        break;
      case 'step-end': {
        const status = event.status === 'succeeded' ? 'done' : event.status;
        const bar = tty && event.status === 'succeeded' ? `[${'#'.repeat(WIDTH)}] 100 % ` : '';
        stream.write(`${tty ? '\r\x1b[2K' : ''}${label(event.index, event.count, event.step)} ${bar}${status} in ${(event.durationMs / 1000).toFixed(1)} s\n`);
        break;
      }
      default:
        break;
    }
  };
}

function amount(n: number, unit: string | undefined): string {
  if (unit === 'bytes') return n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MB` : `${Math.round(n / 1024)} KB`;
  return `${n.toLocaleString('en-US')}${unit ? ` ${unit}` : ''}`;
}
