/**
 * Where the curated step's memory goes: the Nequi models alone (DuckDB in process) over an existing
 * lake's processed tables, in a child process per DuckDB `memory_limit`, printing time and peak RSS.
 *
 * Run: `pnpm exec tsx --conditions=@lakeblocks/source bench/nequi-curated-memory.ts --lake DIR [--limits 256MB,384MB,512MB] [--threads 2]`
 */
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDbEngine } from '@lakeblocks/transform/duckdb';
import { nequiModels } from '../src/nequi/models/index.js';
import { nequiTables } from '../src/nequi/tables.js';

const { values } = parseArgs({ options: { lake: { type: 'string' }, limits: { type: 'string', default: '256MB,384MB,512MB' }, threads: { type: 'string', default: '2' }, child: { type: 'string' }, 'insertion-order': { type: 'boolean', default: false } } });
if (values.child !== undefined) {
  const started = performance.now();
  const engine = await DuckDbEngine.create({ lakeDir: values.lake!, tables: nequiTables, models: nequiModels, threads: Number(values.threads), memoryLimit: values.child });
  await engine.execute(`SET temp_directory = '${join(tmpdir(), `nequi-curated-memory-${process.pid}`)}'`);
  if (!values['insertion-order']) await engine.execute('SET preserve_insertion_order = false');
  for (const m of nequiModels) await engine.run(m);
  engine.close();
  process.stdout.write(`${JSON.stringify({ limit: values.child, s: (performance.now() - started) / 1000, maxRssMB: process.resourceUsage().maxRSS / 1024 })}\n`);
  process.exit(0);
}
for (const limit of values.limits!.split(',')) {
  const out = await new Promise<string>((resolve, reject) => {
    const p = spawn(process.execPath, [...process.execArgv, import.meta.filename, '--lake', values.lake!, '--threads', values.threads!, '--child', limit, ...(values['insertion-order'] ? ['--insertion-order'] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    p.stdout.on('data', (d: Buffer) => (text += d.toString()));
    p.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`memory_limit ${limit}: exit ${code}`))));
  });
  console.log(out.trim());
}
