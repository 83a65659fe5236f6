/**
 * A streaming CSV column filter: removes named columns from a CSV byte stream before anything reads
 * or stores it. Used for the cards' `cvv`, which must never reach the lake (ingest's reader refuses a
 * header with an unknown column and has no rule to ignore one).
 *
 * @module
 */

/**
 * Yields the CSV of `source` without the columns named in `drop` (matched case-insensitively and
 * trimmed, in the header). RFC 4180 aware: quoted fields, `""` escapes, and commas and newlines
 * inside quotes are kept intact; CRLF line ends are preserved. Output is re-chunked into ~1 MiB
 * UTF-8 chunks. A header without any of the columns passes through unchanged.
 *
 * @example
 * ```ts
 * import { createReadStream } from 'node:fs';
 * for await (const chunk of dropCsvColumns(createReadStream('cards_data.csv'), ['cvv'])) process.stdout.write(chunk);
 * ```
 */
export async function* dropCsvColumns(source: AsyncIterable<Uint8Array | string>, drop: readonly string[]): AsyncGenerator<Uint8Array> {
  const wanted = new Set(drop.map((d) => d.trim().toLowerCase()));
  const decoder = new TextDecoder('utf-8', { fatal: false });
  const encoder = new TextEncoder();
  let dropIndexes: Set<number> | undefined;
  let out = '';
  let record = '';
  let inQuotes = false;

  const flushRecord = (rec: string, eol: string): void => {
    const fields: string[] = [];
    let start = 0;
    let q = false;
    for (let i = 0; i < rec.length; i++) {
      const c = rec.charCodeAt(i);
      if (c === 34) q = !q;
      else if (c === 44 && !q) {
        fields.push(rec.slice(start, i));
        start = i + 1;
      }
    }
    fields.push(rec.slice(start));
    if (dropIndexes === undefined) {
      dropIndexes = new Set();
      fields.forEach((f, i) => {
        if (wanted.has(f.replace(/^\uFEFF/, '').replace(/^"|"$/g, '').trim().toLowerCase())) dropIndexes!.add(i);
      });
    }
    out += (dropIndexes.size === 0 ? fields : fields.filter((_, i) => !dropIndexes!.has(i))).join(',') + eol;
  };

  const push = (text: string): void => {
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 34) inQuotes = !inQuotes;
      else if (c === 10 && !inQuotes) {
        let rec = record + text.slice(start, i);
        record = '';
        start = i + 1;
        let eol = '\n';
        if (rec.endsWith('\r')) {
          rec = rec.slice(0, -1);
          eol = '\r\n';
        }
        flushRecord(rec, eol);
      }
    }
    record += text.slice(start);
  };

  for await (const chunk of source) {
    push(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    if (out.length >= 1 << 20) {
      yield encoder.encode(out);
      out = '';
    }
  }
  push(decoder.decode());
  if (record.length > 0) flushRecord(record, '');
  if (out.length > 0) yield encoder.encode(out);
}
