import { gzipSync } from "node:zlib";
import { neonConfig } from "@neondatabase/serverless";
import { build } from "esbuild";
import { z } from "zod";
import { migrateLocalRuntime } from "../local/migrate-local-runtime.ts";
import { type Runtime, startRuntime } from "../local/runtime.ts";
import { startSimulator } from "../local/sandbox/simulator.ts";
import { signStripe } from "../local/sandbox/webhook-signers.ts";
import { buildDeps } from "../src/build-deps.ts";
import { createRouteTable } from "../src/capabilities/create-route-table.ts";
import { parseKeyRing } from "../src/crypto/key-ring.ts";
import { migrate } from "../src/db/migrate.ts";
import { openDb } from "../src/db/open-db.ts";
import { recordWebhookEvent } from "../src/inbox/record-webhook-event.ts";
import { createEdgeIngressDeps, setIngressDeps } from "../src/ingress/ingress-deps.ts";
import type { JobQueue } from "../src/jobs.ts";
import { constructStripeEventWithSdk, createStripeClient } from "../src/providers/stripe.ts";
import { verifyStripeWebhook } from "../src/providers/stripe-webhook.ts";
import { startNeonHttpStandIn } from "../test/helpers/neon-http-standin.ts";
import { handleStripeWebhook } from "../webhooks/stripe.ts";

const SECRET = "whsec_bench_secret";
const N = Number(process.env.BENCH_WEBHOOK_N ?? 2_000);

function payload(i: number): string {
  return JSON.stringify(
    {
      id: `evt_bench_${i}_${Date.now()}`,
      object: "event",
      type: "payout.paid",
      data: { object: { id: `po_${i}`, amount: 1000 } },
    },
    null,
    2,
  );
}
const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const eventShape = z.object({
  id: z.string(),
  type: z.string(),
  data: z.object({ object: z.record(z.string(), z.unknown()) }),
});

/** (a) In-process: our verify + parse (and the whole handler) against the SDK's constructEventAsync. */
async function throughput(): Promise<string[]> {
  const bodies = Array.from({ length: N }, (_, i) => payload(i));
  const headers = bodies.map((b) => signStripe(b, SECRET));
  const bytes = bodies.map((b) => new TextEncoder().encode(b));
  const sdk = createStripeClient("sk_test_bench");
  const timed = async (fn: (i: number) => Promise<unknown>) => {
    const started = performance.now();
    for (let i = 0; i < N; i++) await fn(i);
    return performance.now() - started;
  };
  const sdkRun = (i: number) => constructStripeEventWithSdk(sdk, bodies[i]!, headers[i]!, SECRET);
  const oursRun = async (i: number) => {
    await verifyStripeWebhook(bytes[i]!, headers[i]!, [SECRET]);
    return eventShape.parse(JSON.parse(bodies[i]!));
  };
  // Alternate five rounds each (after a warm-up) and keep the medians: single passes are noisy.
  await timed(sdkRun);
  await timed(oursRun);
  const sdkRounds: number[] = [];
  const ourRounds: number[] = [];
  for (let round = 0; round < 5; round++) {
    sdkRounds.push(await timed(sdkRun));
    ourRounds.push(await timed(oursRun));
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const sdkMs = median(sdkRounds);
  const oursMs = median(ourRounds);
  let t = performance.now();

  const handle = await openDb({ url: process.env.BENCH_DATABASE_URL ?? "memory://" });
  await migrate(handle);
  const keyRing = await parseKeyRing(`b1:${Buffer.alloc(32, 3).toString("base64")}`);
  let enqueued = 0;
  const jobs: JobQueue = {
    trigger: async () => ({ id: `run_${++enqueued}`, isCached: false }),
    batchTrigger: async (_t, items) => ({ batchId: "b", runCount: items.length }),
  };
  setIngressDeps({
    ...buildDeps({ db: handle.db, keyRing, env: { STRIPE_WEBHOOK_SECRET: SECRET }, jobs }),
    // The benchmark's events are payout events: accept them at the door.
    inboundRoutes: createRouteTable([
      { name: "bench", routes: [{ provider: "stripe", types: ["payout.paid"] }] },
    ]),
    oauth: {
      stateSecret: "x".repeat(32),
      publicBaseUrl: "http://localhost",
      allowedReturnOrigins: [],
      defaultReturnUrl: "http://localhost",
    },
    plaidKeys: undefined,
  });
  const fresh = Array.from({ length: N }, (_, i) => payload(i + N));
  t = performance.now();
  for (const body of fresh) {
    const response = await handleStripeWebhook(
      new Request("http://bench/webhooks/stripe", {
        method: "POST",
        headers: { "stripe-signature": signStripe(body, SECRET) },
        body,
      }),
    );
    if (response.status !== 200) throw new Error(`handler answered ${response.status}`);
  }
  const fullMs = performance.now() - t;
  setIngressDeps(undefined);
  await handle.close();
  const rate = (ms: number) => `${((N / ms) * 1000).toFixed(0)}/s`;
  return [
    `(a) Stripe webhooks in-process, ${N} payloads`,
    `    stripe SDK constructEventAsync (baseline): ${rate(sdkMs)}`,
    `    our verify + parse: ${rate(oursMs)} → ratio ${(sdkMs / oursMs).toFixed(2)}x the SDK's throughput (median of 5 alternating rounds)`,
    `    our whole handler (verify + parse + store in ${handle.kind} + enqueue): ${rate(fullMs)} → ratio ${(sdkMs / fullMs).toFixed(2)}x (enqueued ${enqueued})`,
  ];
}

/** (b) Per request through the local HTTP server, against GET /healthz on the same server. */
async function latency(): Promise<string[]> {
  process.env.STRIPE_WEBHOOK_SECRET = SECRET;
  const db = await openDb({ url: process.env.BENCH_DATABASE_URL ?? "memory://" });
  await migrateLocalRuntime(db);
  const runtime: Runtime = await startRuntime({
    db,
    port: 0,
    secretKey: "tr_bench",
    sandbox: false,
    cron: false,
    maxConcurrency: 4,
  });
  const time = async (send: () => Promise<Response>) => {
    const samples: number[] = [];
    for (let i = 0; i < Math.min(N, 1_000); i++) {
      const started = performance.now();
      const response = await send();
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
      samples.push(performance.now() - started);
    }
    return samples.sort((a, b) => a - b);
  };
  let i = 0;
  const health = await time(() => fetch(`${runtime.url}/healthz`));
  const hooks = await time(() => {
    const body = payload(10_000_000 + i++);
    return fetch(`${runtime.url}/webhooks/stripe`, {
      method: "POST",
      headers: { "stripe-signature": signStripe(body, SECRET) },
      body,
    });
  });
  const inserts: number[] = [];
  for (let k = 0; k < 500; k++) {
    const started = performance.now();
    await recordWebhookEvent(db.db, {
      provider: "bench",
      dedupeKey: `k${k}`,
      tenantId: null,
      type: "t",
      body: new TextEncoder().encode(JSON.stringify({ k })),
      json: JSON.stringify({ k }),
    });
    inserts.push(performance.now() - started);
  }
  inserts.sort((a, b) => a - b);
  await runtime.close(2_000);
  await db.close();
  const f = (ms: number) => `${ms.toFixed(2)} ms`;
  return [
    `(b) through the local HTTP server (${db.kind}), ${hooks.length} sequential requests`,
    `    GET /healthz (baseline): p50 ${f(quantile(health, 0.5))}, p99 ${f(quantile(health, 0.99))}`,
    `    POST /webhooks/stripe (verify, parse, store, trigger): p50 ${f(quantile(hooks, 0.5))}, p99 ${f(quantile(hooks, 0.99))} → p50 ratio ${(quantile(hooks, 0.5) / quantile(health, 0.5)).toFixed(1)}x`,
    `    of which the inbox insert alone: p50 ${f(quantile(inserts, 0.5))}, p99 ${f(quantile(inserts, 0.99))}`,
  ];
}

/** Trigger.dev's trigger API in (d): a loopback simulator answering after this many ms. */
const TRIGGER_LATENCY_MS = Number(process.env.BENCH_TRIGGER_LATENCY_MS ?? 30);

/**
 * (d) The edge handler path, in this process: the handler's edge dependencies (Neon's HTTP driver
 * to the SQL-over-HTTP stand-in on PostgreSQL, the fetch-only trigger client to a simulator that
 * answers in TRIGGER_LATENCY_MS), the trigger awaited (no `waitUntil`) against deferred with
 * `waitUntil` (decision 031). PostgreSQL only: the stand-in sits on a Pool.
 */
async function edgePath(): Promise<string[]> {
  const url = process.env.BENCH_DATABASE_URL;
  if (!url?.startsWith("postgres"))
    return ["(d) edge handler path: skipped (needs BENCH_DATABASE_URL=postgres://…)"];
  const db = await openDb({ url, poolMax: 4 });
  await migrate(db);
  const standIn = await startNeonHttpStandIn(db.pool!);
  const trigger = await startSimulator({
    "POST /api/v1/tasks/*": async () => {
      await new Promise((r) => setTimeout(r, TRIGGER_LATENCY_MS));
      return { body: { id: `run_${crypto.randomUUID()}` } };
    },
  });
  const previousEndpoint = neonConfig.fetchEndpoint;
  neonConfig.fetchEndpoint = (host, port) => `http://${host}:${port}/sql`;
  const env = {
    DATABASE_URL: `postgres://postgres@127.0.0.1:${standIn.port}/bench`,
    ENCRYPTION_KEYS: `v1:${Buffer.alloc(32, 7).toString("base64")}`,
    TRIGGER_SECRET_KEY: "tr_bench",
    TRIGGER_API_URL: trigger.url,
    STRIPE_WEBHOOK_SECRET: SECRET,
  };
  setIngressDeps({
    ...(await createEdgeIngressDeps(env)),
    inboundRoutes: createRouteTable([
      { name: "bench", routes: [{ provider: "stripe", types: ["payout.paid"] }] },
    ]),
  });
  let i = 0;
  const time = async (context: { waitUntil?: (p: Promise<unknown>) => void }) => {
    const samples: number[] = [];
    for (let k = 0; k < Math.min(N, 300); k++) {
      const body = payload(20_000_000 + i++);
      const request = new Request("https://edge.bench/webhooks/stripe", {
        method: "POST",
        headers: { "stripe-signature": signStripe(body, SECRET) },
        body,
      });
      const started = performance.now();
      const response = await handleStripeWebhook(request, {}, env, context);
      samples.push(performance.now() - started);
      if (response.status !== 200) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
    }
    return samples.sort((a, b) => a - b);
  };
  const deferred: Promise<unknown>[] = [];
  try {
    await time({}); // warm-up: connections, JIT
    const awaited = await time({});
    const afterAnswer = await time({ waitUntil: (p) => deferred.push(p) });
    await Promise.all(deferred);
    const triggered = trigger.requestsTo("POST /api/v1/tasks/*").length;
    const f = (ms: number) => `${ms.toFixed(2)} ms`;
    return [
      `(d) edge handler path in this process (Neon HTTP driver → stand-in on PostgreSQL, trigger API answering in ${TRIGGER_LATENCY_MS} ms), ${awaited.length} sequential requests each`,
      `    trigger awaited (no waitUntil): p50 ${f(quantile(awaited, 0.5))}, p99 ${f(quantile(awaited, 0.99))}`,
      `    trigger deferred with waitUntil: p50 ${f(quantile(afterAnswer, 0.5))}, p99 ${f(quantile(afterAnswer, 0.99))} → p50 ratio ${(quantile(afterAnswer, 0.5) / quantile(awaited, 0.5)).toFixed(2)}x the awaited path (triggered ${triggered} of ${i})`,
    ];
  } finally {
    setIngressDeps(undefined);
    neonConfig.fetchEndpoint = previousEndpoint;
    await trigger.close();
    await standIn.close();
    await db.close();
  }
}

/** (c) Gzipped size of each handler built for an edge (worker) target, against the Neon HTTP driver alone. */
async function bundles(): Promise<string[]> {
  const size = async (entry: string, contents?: string) => {
    const result = await build({
      ...(contents
        ? { stdin: { contents, resolveDir: process.cwd(), loader: "ts" } }
        : { entryPoints: [entry] }),
      bundle: true,
      platform: "browser",
      format: "esm",
      minify: true,
      write: false,
      metafile: true,
      conditions: ["workerd", "worker", "edge-light", "browser"],
      logLevel: "silent",
    });
    const inputs = Object.keys(result.metafile.inputs).join("\n");
    const heavy = [
      "stripe",
      "plaid",
      "lob",
      "retell-sdk",
      "@elevenlabs",
      "@trigger.dev/sdk",
      "jose",
      "pino",
    ].filter((p) => inputs.includes(`node_modules/${p}/`));
    if (inputs.includes("node_modules/zod/v4/classic/")) heavy.push("zod (classic)");
    return { gz: gzipSync(result.outputFiles[0]!.contents).length, heavy };
  };
  const baseline = await size(
    "",
    'import { neon } from "@neondatabase/serverless"; export const q = (url) => neon(url)`select 1`;',
  );
  const lines = [
    "(c) handler bundles for an edge target (esbuild, minified, gzipped; budget 120 KB each)",
    `    Neon HTTP driver alone (baseline): ${(baseline.gz / 1024).toFixed(1)} KiB`,
  ];
  for (const handler of ["router", "stripe", "plaid", "lob", "retell", "paypal", "oauth-callback"]) {
    const { gz, heavy } = await size(`webhooks/${handler}.ts`);
    lines.push(
      `    webhooks/${handler}.ts: ${(gz / 1024).toFixed(1)} KiB (ratio ${(gz / baseline.gz).toFixed(2)}); SDKs or heavy packages inside: ${heavy.length ? heavy.join(", ") : "none"}`,
    );
  }
  return lines;
}

export async function benchWebhooks(): Promise<string> {
  return [...(await throughput()), ...(await latency()), ...(await bundles()), ...(await edgePath())].join(
    "\n",
  );
}
