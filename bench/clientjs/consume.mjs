// The @mastra/client-js side of bench/streams.py.
//
//   node consume.mjs BASE_URL N [RUNS] [WARMUP]   RUNS runs after WARMUP (default 5 after 1), one JSON line
//   node consume.mjs BASE_URL N --serve [WARMUP]  after WARMUP runs, one run per "run" line on stdin
//
// Consumes `count N` from echo-agent in this one process (so the JIT and the keep-alive
// connection stay warm, as for the Python clients). Each run is timed from just before
// agent.stream() to the end of processDataStream(); cpu is this process's CPU time over the
// same span (process.cpuUsage, every thread). A run is {"seconds", "cpu", "chunks",
// "textDeltas", "textLength"}; --serve prints a header line {"version", "node"} when warm,
// then one run per line, and exits at the end of stdin.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { MastraClient } from '@mastra/client-js';

const [baseUrl, nArg, runsArg = '5', warmupArg = '1'] = process.argv.slice(2);
if (!baseUrl || !nArg) {
  console.error('usage: node consume.mjs BASE_URL N [RUNS|--serve] [WARMUP]');
  process.exit(2);
}
const n = Number(nArg);
const serve = runsArg === '--serve';
const warmup = Number(warmupArg);

const client = new MastraClient({ baseUrl });
const agent = client.getAgent('echo-agent');

async function once() {
  let chunks = 0;
  let textDeltas = 0;
  let textLength = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const response = await agent.stream(`count ${n}`);
  await response.processDataStream({
    onChunk: async (chunk) => {
      chunks += 1;
      if (chunk.type === 'text-delta') {
        textDeltas += 1;
        textLength += chunk.payload.text.length;
      }
    },
  });
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { seconds, cpu: (used.user + used.system) / 1e6, chunks, textDeltas, textLength };
}

const pkg = JSON.parse(
  readFileSync(new URL('./node_modules/@mastra/client-js/package.json', import.meta.url), 'utf8'),
);
const header = { version: pkg.version, node: process.version };

for (let i = 0; i < warmup; i++) await once();
if (serve) {
  console.log(JSON.stringify(header));
  for await (const line of createInterface({ input: process.stdin })) {
    if (line.trim() === 'run') console.log(JSON.stringify(await once()));
  }
} else {
  const runs = [];
  for (let i = 0; i < Number(runsArg); i++) runs.push(await once());
  console.log(JSON.stringify({ ...header, runs }));
}
