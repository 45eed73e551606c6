// The @mastra/client-js side of bench/streams.py.
//
//   node consume.mjs BASE_URL N [RUNS] [WARMUP]
//
// Consumes `count N` from echo-agent RUNS times after WARMUP untimed runs, in this one
// process (so the JIT and the keep-alive connection are warm, as for the Python clients),
// and prints one JSON line: {"version", "node", "runs": [{"seconds", "chunks", "textDeltas", "textLength"}]}.
// Each run is timed from just before agent.stream() to the end of processDataStream().
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { MastraClient } from '@mastra/client-js';

const [baseUrl, nArg, runsArg = '5', warmupArg = '1'] = process.argv.slice(2);
if (!baseUrl || !nArg) {
  console.error('usage: node consume.mjs BASE_URL N [RUNS] [WARMUP]');
  process.exit(2);
}
const n = Number(nArg);
const runs = Number(runsArg);
const warmup = Number(warmupArg);

const client = new MastraClient({ baseUrl });
const agent = client.getAgent('echo-agent');

async function once() {
  let chunks = 0;
  let textDeltas = 0;
  let textLength = 0;
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
  return { seconds, chunks, textDeltas, textLength };
}

for (let i = 0; i < warmup; i++) await once();
const results = [];
for (let i = 0; i < runs; i++) results.push(await once());

const pkg = JSON.parse(
  readFileSync(new URL('./node_modules/@mastra/client-js/package.json', import.meta.url), 'utf8'),
);
console.log(JSON.stringify({ version: pkg.version, node: process.version, runs: results }));
