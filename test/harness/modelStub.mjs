// A local stand-in for the model APIs of the real agent CLIs: it answers like the real API and records every
// request, so a test can run the real Claude Code / opencode offline and check what reached the model.
// See shared/reference/real-agents.md and test/harness/realAgents.mjs.
//
//   import { startModelStub, mainRequests } from './modelStub.mjs';
//   const stub = await startModelStub({ reply: 'ok', recordFile: '/tmp/requests.jsonl' });
//   // Claude Code: ANTHROPIC_BASE_URL=stub.url; opencode (@ai-sdk/openai-compatible): baseURL=`${stub.url}/v1`
//   const req = await stub.waitFor((r) => r.path === '/v1/messages' && r.body?.tools?.length > 0, 30000);
//   await stub.close();
//
// Served on 127.0.0.1, random port:
//   POST /v1/messages[?beta=true]       Anthropic Messages: SSE when body.stream, else a JSON message
//   POST /v1/messages/count_tokens      {input_tokens: N}
//   POST /v1/chat/completions           OpenAI chat/completions: SSE chunks then `data: [DONE]`, or JSON
//   anything else                       200 `{}` (HEAD: empty body)
//
// Each request is recorded as { method, path (without the query), query, url, body (parsed JSON, else the raw
// text, else null), headers, at (ms since epoch) }; with `recordFile` also appended to that file as one JSON
// line (so a test running in another process can read it: see readRecordFile()).
//
// `reply` is a string, or a function (request) => string | { tool: name, input: {...} } called for each model
// request; a `{ tool, input }` answer is a tool call (Anthropic tool_use, OpenAI tool_calls), so a test can play a
// model that runs a command and then see the tool's result in the next request.

import fs from 'node:fs';
import http from 'node:http';

/** Requests that carry tools: the agent's real turn, not its title generation / summary side requests. */
export function mainRequests(requests) {
  return requests.filter((r) => Array.isArray(r.body?.tools) && r.body.tools.length > 0);
}

/** Reads a `recordFile` written by startModelStub (JSON lines) back into request objects. */
export function readRecordFile(file) {
  let text = '';
  try { text = fs.readFileSync(file, 'utf8'); } catch { return []; }
  return text.split('\n').filter((l) => l.trim()).flatMap((l) => { try { return [JSON.parse(l)]; } catch { return []; } });
}

/** Every piece of text in a request body (system, messages, content blocks), for "did X reach the model" checks. */
export function requestText(request) {
  const out = [];
  const walk = (v) => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) if (k !== 'tools') walk(x);
  };
  walk(request?.body?.system);
  walk(request?.body?.messages);
  return out.join('\n');
}

function estimateTokens(body) {
  try { return Math.max(1, Math.ceil(JSON.stringify(body ?? {}).length / 4)); } catch { return 1; }
}

let seq = 0;
const nextId = (prefix) => `${prefix}_stub${Date.now().toString(36)}${(++seq).toString(36)}`;

function sendJson(res, status, obj) {
  const data = JSON.stringify(obj);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) });
  res.end(data);
}

function openaiToolCall(res, body, call) {
  const model = body?.model || 'stub-model';
  const id = nextId('chatcmpl');
  const created = Math.floor(Date.now() / 1000);
  const toolCall = { id: nextId('call'), type: 'function', function: { name: call.tool, arguments: JSON.stringify(call.input ?? {}) } };
  if (!body?.stream) {
    sendJson(res, 200, { id, object: 'chat.completion', created, model, choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: [toolCall] }, finish_reason: 'tool_calls' }] });
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const chunk = (choices) => res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices })}\n\n`);
  chunk([{ index: 0, delta: { role: 'assistant', content: null, tool_calls: [{ index: 0, ...toolCall }] }, finish_reason: null }]);
  chunk([{ index: 0, delta: {}, finish_reason: 'tool_calls' }]);
  res.write('data: [DONE]\n\n');
  res.end();
}

/** An Anthropic Messages answer: a text, or a tool call when `reply` is `{ tool, input }`; SSE when asked to stream. */
function anthropicMessages(res, body, reply) {
  const model = body?.model || 'stub-model';
  const id = nextId('msg');
  const call = typeof reply === 'object' ? reply : undefined;
  const text = call ? '' : reply;
  const block = call ? { type: 'tool_use', id: nextId('toolu'), name: call.tool, input: call.input ?? {} } : { type: 'text', text };
  const stopReason = call ? 'tool_use' : 'end_turn';
  const inputTokens = estimateTokens(body);
  const outputTokens = Math.max(1, Math.ceil((call ? JSON.stringify(block.input) : text).length / 4));
  if (!body?.stream) {
    sendJson(res, 200, {
      id, type: 'message', role: 'assistant', model, content: [block], stop_reason: stopReason, stop_sequence: null,
      usage: { input_tokens: inputTokens, output_tokens: outputTokens },
    });
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const ev = (type, data) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  ev('message_start', {
    message: {
      id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null,
      usage: { input_tokens: inputTokens, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    },
  });
  ev('content_block_start', { index: 0, content_block: call ? { ...block, input: {} } : { type: 'text', text: '' } });
  ev('content_block_delta', { index: 0, delta: call ? { type: 'input_json_delta', partial_json: JSON.stringify(block.input) } : { type: 'text_delta', text } });
  ev('content_block_stop', { index: 0 });
  ev('message_delta', { delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: outputTokens } });
  ev('message_stop', {});
  res.end();
}

function openaiChat(res, body, text) {
  const model = body?.model || 'stub-model';
  const id = nextId('chatcmpl');
  const created = Math.floor(Date.now() / 1000);
  const promptTokens = estimateTokens(body);
  const completionTokens = Math.max(1, Math.ceil(text.length / 4));
  const usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
  if (!body?.stream) {
    sendJson(res, 200, {
      id, object: 'chat.completion', created, model,
      choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
      usage,
    });
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const chunk = (choices, extra = {}) =>
    res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices, ...extra })}\n\n`);
  chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]);
  chunk([{ index: 0, delta: { content: text }, finish_reason: null }]);
  chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]);
  if (body?.stream_options?.include_usage) chunk([], { usage });
  res.write('data: [DONE]\n\n');
  res.end();
}

/**
 * Starts the stub. Options: `reply` (string or (request) => string), `recordFile` (JSON lines), `port` (0 =
 * random), `log` (function for one line per request, e.g. console.error).
 */
export async function startModelStub({ reply = 'ok', recordFile, port = 0, log } = {}) {
  const requests = [];
  const waiters = new Set();
  if (recordFile) fs.writeFileSync(recordFile, '');

  const replyFor = (request) => {
    const r = typeof reply === 'function' ? reply(request) : reply;
    return r && typeof r === 'object' && r.tool ? r : String(r);
  };

  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body = null;
      if (raw) { try { body = JSON.parse(raw); } catch { body = raw; } }
      const u = new URL(req.url, 'http://127.0.0.1');
      const request = {
        method: req.method, path: u.pathname, query: Object.fromEntries(u.searchParams), url: req.url,
        body, headers: req.headers, at: Date.now(),
      };
      requests.push(request);
      if (recordFile) { try { fs.appendFileSync(recordFile, JSON.stringify(request) + '\n'); } catch {} }
      log?.(`[model-stub] ${req.method} ${req.url}${body?.stream ? ' (stream)' : ''}`);
      for (const w of waiters) w.check(request);
      try {
        const p = u.pathname.replace(/\/+$/, '');
        if (req.method === 'POST' && p.endsWith('/messages/count_tokens')) {
          sendJson(res, 200, { input_tokens: estimateTokens(body) });
        } else if (req.method === 'POST' && p.endsWith('/messages')) {
          anthropicMessages(res, body, replyFor(request));
        } else if (req.method === 'POST' && p.endsWith('/chat/completions')) {
          const r = replyFor(request);
          if (typeof r === 'object') openaiToolCall(res, body, r);
          else openaiChat(res, body, r);
        } else if (req.method === 'HEAD') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end();
        } else {
          sendJson(res, 200, {});
        }
      } catch (e) {
        if (!res.headersSent) sendJson(res, 500, { error: { type: 'stub_error', message: String(e) } });
        else res.end();
      }
    });
  });
  const sockets = new Set();
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const actualPort = server.address().port;

  /** Resolves with the first request (already recorded or arriving later) for which predicate(request) is true. */
  function waitFor(predicate, timeoutMs = 30000) {
    const hit = requests.find((r) => { try { return predicate(r); } catch { return false; } });
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const w = {
        check(r) {
          let ok = false;
          try { ok = predicate(r); } catch {}
          if (ok) { clearTimeout(w.timer); waiters.delete(w); resolve(r); }
        },
        timer: setTimeout(() => {
          waiters.delete(w);
          reject(new Error(`model stub: no matching request within ${timeoutMs} ms (got ${requests.length}: ` +
            `${requests.map((r) => `${r.method} ${r.url}`).join(', ') || 'none'})`));
        }, timeoutMs),
      };
      waiters.add(w);
    });
  }

  function close() {
    for (const w of waiters) { clearTimeout(w.timer); }
    waiters.clear();
    return new Promise((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    });
  }

  return { port: actualPort, url: `http://127.0.0.1:${actualPort}`, requests, waitFor, close, server };
}
