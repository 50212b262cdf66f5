// `npm run bench` [--quick] [--sizes=10000,100000,1000000] [--only=store,projection,fold,flood] [--out=file.json]
// Prints the table (stdout) and writes bench/results/latest.json; progress goes to stderr.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from './config.js';
import { runBench } from './bench.js';
import { formatMachine, formatTable, writeJson, RATIO_FLOOR } from './report.js';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));

async function main(): Promise<void> {
  const config = parseArgs(process.argv.slice(2), path.join(BENCH_DIR, 'results', 'latest.json'));
  const result = await runBench(config);
  process.stdout.write(`${formatMachine(result)}\n\n${formatTable(result.figures)}\n`);
  const low = result.figures.filter((f) => f.ratio < RATIO_FLOOR);
  if (low.length > 0) process.stdout.write(`\n! ratio below ${RATIO_FLOOR}: see docs/bench.md for why (${low.map((f) => f.name).join('; ')})\n`);
  if (config.jsonFile !== undefined) {
    writeJson(result, config.jsonFile);
    process.stdout.write(`\nwritten: ${path.relative(process.cwd(), config.jsonFile)}\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
