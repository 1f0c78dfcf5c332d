// Drives the real yaml-language-server over stdio, the way VS Code and Neovim run it, and
// reports what an editor would show: the diagnostics of each document, the hover text and
// the completion items at given positions.
//
// Input (stdin, JSON):
//   { "documents": [ { "path": "/abs/file.yaml",
//                      "hovers": [[line, character], ...],
//                      "completions": [[line, character], ...] } ] }
//   Each file is read from disk; its modeline selects the schema.
// Output (stdout, JSON): the same documents with
//   "diagnostics": [{ "line", "character", "message", "severity" }],
//   "hovers": [text or null], "completions": [[{ "label", "detail", "documentation" }]].
//
// Used by tests/schema.rs; `node lsp-check.mjs < plan.json` works by hand too.

import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);
const serverMain = require.resolve("yaml-language-server/bin/yaml-language-server");

const plan = JSON.parse(readFileSync(0, "utf8"));
const server = spawn(process.execPath, [serverMain, "--stdio"], { stdio: ["pipe", "pipe", "inherit"] });

let nextId = 1;
const pending = new Map();
const diagnostics = new Map(); // uri -> array (the latest publication)
const published = new Map(); // uri -> resolve() of the first publication after open

function send(message) {
  const body = Buffer.from(JSON.stringify({ jsonrpc: "2.0", ...message }), "utf8");
  server.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
  server.stdin.write(body);
}
function request(method, params) {
  const id = nextId++;
  send({ id, method, params });
  return new Promise((resolve, reject) => pending.set(id, { resolve, reject, method }));
}
function notify(method, params) {
  send({ method, params });
}

let buffer = Buffer.alloc(0);
server.stdout.on("data", (chunk) => {
  buffer = Buffer.concat([buffer, chunk]);
  for (;;) {
    const headerEnd = buffer.indexOf("\r\n\r\n");
    if (headerEnd < 0) return;
    const header = buffer.subarray(0, headerEnd).toString("ascii");
    const length = Number(/Content-Length: (\d+)/i.exec(header)[1]);
    if (buffer.length < headerEnd + 4 + length) return;
    const message = JSON.parse(buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString("utf8"));
    buffer = buffer.subarray(headerEnd + 4 + length);
    handle(message);
  }
});

function handle(message) {
  if (message.id !== undefined && message.method === undefined) {
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.error) waiter.reject(new Error(`${waiter.method}: ${message.error.message}`));
    else waiter.resolve(message.result);
  } else if (message.id !== undefined) {
    // A request from the server (configuration, capability registration): answer it.
    const result = message.method === "workspace/configuration" ? message.params.items.map(() => settings.yaml) : null;
    send({ id: message.id, result });
  } else if (message.method === "textDocument/publishDiagnostics") {
    diagnostics.set(message.params.uri, message.params.diagnostics);
    const done = published.get(message.params.uri);
    if (done) {
      published.delete(message.params.uri);
      done();
    }
  }
}

const settings = { yaml: { validate: true, hover: true, completion: true, format: { enable: false }, schemaStore: { enable: false } } };

function text(contents) {
  if (contents === null || contents === undefined) return null;
  if (typeof contents === "string") return contents;
  if (Array.isArray(contents)) return contents.map(text).join("\n");
  return contents.value;
}

async function main() {
  await request("initialize", {
    processId: process.pid,
    rootUri: null,
    capabilities: {
      textDocument: {
        hover: { contentFormat: ["markdown", "plaintext"] },
        completion: { completionItem: { documentationFormat: ["markdown", "plaintext"], snippetSupport: true } },
        publishDiagnostics: {},
      },
      workspace: { configuration: true },
    },
  });
  notify("initialized", {});
  notify("workspace/didChangeConfiguration", { settings });

  // Open every document, then wait for each one's first validation: the server validates
  // them concurrently.
  const uris = plan.documents.map((doc) => pathToFileURL(doc.path).href);
  const validated = uris.map((uri) => new Promise((resolve) => published.set(uri, resolve)));
  plan.documents.forEach((doc, i) => {
    notify("textDocument/didOpen", { textDocument: { uri: uris[i], languageId: "yaml", version: 1, text: readFileSync(doc.path, "utf8") } });
  });
  await Promise.all(validated);

  const out = [];
  for (const [i, doc] of plan.documents.entries()) {
    const uri = uris[i];
    const hovers = [];
    for (const [line, character] of doc.hovers ?? []) {
      const hover = await request("textDocument/hover", { textDocument: { uri }, position: { line, character } });
      hovers.push(hover ? text(hover.contents) : null);
    }
    const completions = [];
    for (const [line, character] of doc.completions ?? []) {
      const list = await request("textDocument/completion", { textDocument: { uri }, position: { line, character } });
      const items = Array.isArray(list) ? list : (list?.items ?? []);
      completions.push(items.map((i) => ({ label: i.label, detail: i.detail ?? null, documentation: text(i.documentation) })));
    }
    const diags = (diagnostics.get(uri) ?? []).map((d) => ({
      line: d.range.start.line,
      character: d.range.start.character,
      message: d.message,
      severity: d.severity,
    }));
    out.push({ path: doc.path, diagnostics: diags, hovers, completions });
  }
  await request("shutdown", null);
  notify("exit", null);
  process.stdout.write(JSON.stringify({ documents: out }, null, 1) + "\n");
}

main().catch((e) => {
  console.error(e);
  server.kill();
  process.exit(1);
});
