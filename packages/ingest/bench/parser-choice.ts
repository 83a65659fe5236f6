/**
 * Parser choice: hand-written tokenizer vs csv-parse on the TechStore CSVs (records only, no typing).
 * Run: `pnpm exec tsx --conditions=@lakeblocks/source bench/parser-choice.ts [dir]` (default ../../../shared/data/techstore).
 */
import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse';
import { CsvTokenizer } from '../src/csv/csv-tokenizer.js';
import { Utf8ChunkDecoder } from '../src/csv/utf8.js';

const dir = process.argv[2] ?? join(import.meta.dirname, '../../../../shared/data/techstore');

async function ours(path: string): Promise<number> {
  const decoder = new Utf8ChunkDecoder(path);
  const tokenizer = new CsvTokenizer({ file: path });
  let n = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 })) {
    n += tokenizer.push(decoder.decode(chunk as Buffer)).length;
  }
  n += tokenizer.push(decoder.end()).length + tokenizer.end().length;
  return n;
}

async function csvParse(path: string): Promise<number> {
  let n = 0;
  const parser = createReadStream(path, { highWaterMark: 256 * 1024 }).pipe(parse({ bom: true, info: true, relax_column_count: true }));
  for await (const _ of parser) n++;
  return n;
}

for (const file of ['order_items.csv', 'orders.csv']) {
  const path = join(dir, file);
  if (!existsSync(path)) {
    console.log(`skip ${file}: not found in ${dir}`);
    continue;
  }
  for (const [name, fn] of [['tokenizer', ours], ['csv-parse', csvParse]] as const) {
    const times: number[] = [];
    let rows = 0;
    for (let k = 0; k < 5; k++) {
      const t = performance.now();
      rows = await fn(path);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    console.log(`${file.padEnd(16)} ${name.padEnd(10)} records=${rows} median=${times[2]!.toFixed(1)} ms min=${times[0]!.toFixed(1)} ms`);
  }
}
