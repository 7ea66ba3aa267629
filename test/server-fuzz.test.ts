import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RuntimeProcess, startRuntimeProcess } from "./helpers/runtime-process.ts";

const SECRET = "tr_fuzz_local_key";
const MARKER = "FUZZ-PAYLOAD-7f3a";
const MAX_CASES = 2_500;
const BUDGET_MS = 60_000;

/** A small seeded generator, so a failing case can be replayed from its number. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  return { next, pick };
}

const METHODS = [
  "GET",
  "POST",
  "PUT",
  "DELETE",
  "HEAD",
  "OPTIONS",
  "PATCH",
  "TRACE",
  "CONNECT",
  "TRACK",
  "PROPFIND",
  "get",
  "G ET",
  "",
  "POSTX",
  "M".repeat(300),
];
const TARGETS = [
  "/",
  "/healthz",
  "*",
  "http://[",
  "http://a:b@c/",
  "https://example.com/runs",
  "//x/y",
  "/%",
  "/%zz",
  "/runs/%E0%A4%A",
  "/runs/%",
  "/webhooks/lob/%",
  "/webhooks/retell/%ff%fe",
  "/oauth/callback/%",
  "/api/v1/tasks/%/trigger",
  "/api/v1/tasks/credentials-rotate-keys/trigger",
  "/api/v3/batches",
  "/api/v3/batches/%ff/items",
  "/api/v3/batches/batch_x/items",
  "/runs?limit=abc",
  "/runs?limit=-1",
  "/runs?status=%",
  "/api/v1/runs?page[size]=abc",
  "/api/v1/runs?filter[status]=NOPE",
  "/api/v3/runs/run_x",
  "/api/v2/runs/%/cancel",
  "/api/v1/schedules?page=-3",
  "/webhooks/stripe",
  "/webhooks/paypal",
  "/webhooks/plaid",
  `/${"a".repeat(9000)}`,
  "/\x01",
  "/ /",
  "/?%",
  "?x",
  "/..%2f..%2fetc/passwd",
];
const HOSTS = [
  undefined,
  "localhost",
  "",
  " ",
  "%",
  "a:b",
  "[::1",
  "x:99999",
  "a b",
  "[::1]:80",
  "127.0.0.1:0",
  "exa mple.com",
  "ho\tst",
  "h".repeat(5000),
];
const VERSIONS = ["HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/9.9", "", "HTTP/1.1 extra", "http/1.1"];
const EXTRA_HEADERS = [
  "content-type: application/json",
  "content-type: text/plain",
  "content-length: -1",
  "content-length: 99999999999",
  "content-length: 5",
  "content-length: abc",
  "transfer-encoding: chunked",
  "transfer-encoding: gzip, chunked",
  `authorization: Bearer ${SECRET}`,
  "authorization: Bearer wrong",
  "authorization: %%%",
  "x-weird\x7f: 1",
  "bad header line",
  " folded: continuation",
  "expect: 100-continue",
  `x-long: ${"v".repeat(20_000)}`,
  "content-encoding: gzip",
  "stripe-signature: t=1,v1=00",
  "paypal-transmission-id: x",
  "plaid-verification: a.b.c",
  "connection: upgrade",
  "upgrade: websocket",
];
const BODIES = [
  "",
  "{",
  "{}",
  "null",
  "[]",
  `{"payload":"${MARKER}"}`,
  `{"payload":{"json":"${MARKER}"},"options":{"tags":[1,2]}}`,
  `{"runCount":-1}`,
  `{"runCount":"${MARKER}"}`,
  `{"index":0,"task":"x","payload":"${MARKER}"}\n{`,
  "0\r\n\r\n",
  "zz\r\nxx\r\n0\r\n\r\n",
  `${"[".repeat(5000)}${MARKER}`,
  `\x00\x01\x02${MARKER}\xff`,
  `{"a":"${"\\u00".repeat(100)}${MARKER}"}`,
];

function buildCase(n: number): Buffer {
  const r = rng(n);
  const method = r.pick(METHODS);
  const target = r.pick(TARGETS);
  const version = r.pick(VERSIONS);
  const lines = [`${method} ${target} ${version}`.trimEnd()];
  const host = r.pick(HOSTS);
  if (host !== undefined) lines.push(`host: ${host}`);
  if (r.next() < 0.2) lines.push(`host: ${r.pick(HOSTS) ?? "second"}`);
  const headerCount = Math.floor(r.next() * 4);
  for (let i = 0; i < headerCount; i++) lines.push(r.pick(EXTRA_HEADERS));
  const body = r.pick(BODIES);
  if (body && r.next() < 0.7) lines.push(`content-length: ${Buffer.byteLength(body, "latin1")}`);
  return Buffer.from(`${lines.join("\r\n")}\r\n\r\n${body}`, "latin1");
}

/** Sends raw bytes, returns what came back before the server closed or `waitMs` passed. */
function exchange(url: string, bytes: Buffer, waitMs = 250): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let received = "";
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(received);
    };
    const timer = setTimeout(finish, waitMs);
    socket.on("data", (chunk) => {
      received += chunk.toString("latin1");
    });
    socket.on("error", finish);
    socket.on("close", finish);
    socket.write(bytes, () => {});
  });
}

/** The final answer of a raw HTTP/1.1 reply, without interim `100 Continue` answers. */
function finalOf(reply: string): string {
  let rest = reply;
  while (/^HTTP\/1\.1 1\d\d/.test(rest)) rest = rest.slice(rest.indexOf("\r\n\r\n") + 4);
  return rest;
}

/** The body of a raw HTTP/1.1 reply, de-chunked. */
function bodyOf(whole: string): string {
  const reply = finalOf(whole);
  const split = reply.indexOf("\r\n\r\n");
  const head = reply.slice(0, split);
  const raw = reply.slice(split + 4);
  if (!/transfer-encoding: chunked/i.test(head)) return raw;
  let out = "";
  let rest = raw;
  for (;;) {
    const eol = rest.indexOf("\r\n");
    const size = Number.parseInt(rest.slice(0, eol), 16);
    if (!(size > 0)) return out;
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 4 + size);
  }
}

let runtime: RuntimeProcess;
beforeAll(async () => {
  runtime = await startRuntimeProcess({ TRIGGER_SECRET_KEY: SECRET });
}, 180_000);
afterAll(async () => {
  await runtime?.stop();
});

describe("npm start under malformed requests", () => {
  it("stays up, answers /healthz after every case, and never fails unexpectedly or echoes SQL, stacks or payloads", async () => {
    const started = Date.now();
    let cases = 0;
    const statuses = new Map<string, number>();
    for (let n = 0; n < MAX_CASES && Date.now() - started < BUDGET_MS; n++) {
      const reply = await exchange(runtime.url, buildCase(n));
      cases++;
      const status = finalOf(reply).match(/^HTTP\/1\.[01] (\d{3})/)?.[1] ?? "none";
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      const context = `case ${n}: ${JSON.stringify(buildCase(n).toString("latin1").slice(0, 200))}`;
      if (status !== "none") {
        // Every answer is JSON; a 5xx is a deliberate one (e.g. an unconfigured webhook secret),
        // never an unexpected failure.
        const body = bodyOf(reply);
        if (!finalOf(reply).startsWith("HTTP/1.1 200") && body) {
          expect(() => JSON.parse(body), `${context} answered ${reply.slice(0, 300)}`).not.toThrow();
        }
        expect(body, `${context} answered ${reply.slice(0, 300)}`).not.toContain("Internal error");
      }
      expect(reply, context).not.toContain(MARKER);
      expect(reply, context).not.toMatch(/\b(select|insert into|update \w+ set|delete from)\b/i);
      expect(reply, context).not.toMatch(/\n\s+at .+:\d+:\d+/);
      expect(runtime.exited(), context).toBe(false);
      const health = await fetch(`${runtime.url}/healthz`, { signal: AbortSignal.timeout(5_000) });
      expect(health.status, context).toBe(200);
      await health.arrayBuffer();
    }
    expect(cases).toBeGreaterThanOrEqual(500);
    // Every refusal is a JSON answer and most cases got one.
    expect((statuses.get("400") ?? 0) + (statuses.get("404") ?? 0)).toBeGreaterThan(cases / 4);
  }, 120_000);

  it("answers the vectors that used to kill it: the Host header is ignored, the rest is a JSON 4xx", async () => {
    const hosts = ["a b", "%", "a:b", "[::1", "localhost:99999", ""];
    for (const host of hosts) {
      const reply = await exchange(
        runtime.url,
        Buffer.from(`GET /healthz HTTP/1.1\r\nhost: ${host}\r\nconnection: close\r\n\r\n`),
        2_000,
      );
      expect(reply, host).toMatch(/^HTTP\/1\.1 200/);
      expect(JSON.parse(bodyOf(reply))).toMatchObject({ status: "ok" });
    }
    const refused = [
      "TRACE / HTTP/1.1\r\nhost: localhost\r\n\r\n",
      "GET http://[ HTTP/1.1\r\nhost: localhost\r\n\r\n",
      "GET /runs/%E0%A4%A HTTP/1.1\r\nhost: localhost\r\n\r\n",
    ];
    for (const vector of refused) {
      const reply = await exchange(runtime.url, Buffer.from(vector, "latin1"), 2_000);
      const status = Number(reply.match(/^HTTP\/1\.1 (\d{3})/)?.[1]);
      expect(status, vector).toBeGreaterThanOrEqual(400);
      expect(status, vector).toBeLessThan(500);
      expect(JSON.parse(bodyOf(reply)).error, vector).toEqual(expect.any(String));
    }
    expect(runtime.exited()).toBe(false);
    expect(runtime.logs()).toMatch(/request refused/);
  });
});
