import type { Readable } from "node:stream";
import { EdgeRuntime } from "edge-runtime";
import { Miniflare } from "miniflare";
import { bundleForEdge } from "./edge-bundle.ts";

type Env = Record<string, string>;

/** A bundle running inside an edge runtime: requests in, responses and printed lines out. */
export interface EdgeHost {
  name: string;
  fetch(
    path: string,
    init?: { method?: string; headers?: Record<string, string>; body?: string },
  ): Promise<{
    status: number;
    json(): Promise<unknown>;
  }>;
  /** Every line the runtime printed (stdout and stderr, or console calls). */
  lines: string[];
  close(): Promise<void>;
}

const ORIGIN = "http://edge.test";

function collectLines(stream: Readable, into: string[]): void {
  let pending = "";
  stream.on("data", (chunk: Buffer) => {
    pending += chunk.toString("utf8");
    const parts = pending.split("\n");
    pending = parts.pop() ?? "";
    into.push(...parts.filter(Boolean));
  });
  stream.on("end", () => {
    if (pending) into.push(pending);
  });
}

/**
 * Runs the worker entry in workerd (Cloudflare's runtime, through miniflare) with `env` as its
 * bindings and no `nodejs_compat`: the code sees no `process` at all.
 */
export async function startWorkerd(entry: string, env: Env): Promise<EdgeHost> {
  const bundle = await bundleForEdge(entry);
  const lines: string[] = [];
  const mf = new Miniflare({
    modules: true,
    script: bundle.code,
    compatibilityDate: "2025-01-01",
    bindings: env,
    handleRuntimeStdio(stdout: Readable, stderr: Readable) {
      collectLines(stdout, lines);
      collectLines(stderr, lines);
    },
  });
  await mf.ready;
  return {
    name: "workerd",
    lines,
    fetch: (path, init = {}) => mf.dispatchFetch(`${ORIGIN}${path}`, init) as never,
    close: () => mf.dispose(),
  };
}

/**
 * Runs the service-worker style entry in Vercel's `edge-runtime`, with `env` as `process.env`
 * (what Vercel provides to edge functions) and `console` captured line by line.
 */
export async function startEdgeRuntime(entry: string, env: Env): Promise<EdgeHost> {
  const bundle = await bundleForEdge(entry, { format: "iife" });
  const lines: string[] = [];
  const print = (...args: unknown[]) => {
    lines.push(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "));
  };
  const runtime = new EdgeRuntime({
    initialCode: bundle.code,
    extend: (context) =>
      Object.assign(context, {
        process: { env: { ...env } },
        console: { log: print, info: print, debug: print, warn: print, error: print },
      }),
  });
  return {
    name: "edge-runtime",
    lines,
    fetch: (path, init = {}) => runtime.dispatchFetch(`${ORIGIN}${path}`, init) as never,
    close: async () => {},
  };
}
