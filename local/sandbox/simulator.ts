import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  body: string;
  at: number;
}

export interface SimResponse {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export type SimRoute = (request: RecordedRequest) => SimResponse | Promise<SimResponse>;

export interface Fault {
  /** Answer with this status instead of the route's answer. */
  status?: number;
  /** `Retry-After` header (seconds) with the status. */
  retryAfter?: number;
  body?: unknown;
  /** Wait this long before answering (or before dropping). */
  latencyMs?: number;
  /** Destroy the connection without an answer. */
  drop?: boolean;
  /** How many requests the fault applies to (default: every request until cleared). */
  times?: number;
}

export interface Simulator {
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Requests to one route key (`"POST /token"`). */
  requestsTo(key: string): RecordedRequest[];
  /** Injects a fault on a route key (`"POST /token"`) or `"*"` for every route. */
  fault(key: string, fault: Fault): void;
  clearFaults(): void;
  /** Latency added to every answer (for benchmarks). */
  setLatency(ms: number): void;
  /** The most requests in flight at once since the start (or the last reset). */
  peakConcurrency(): number;
  resetPeakConcurrency(): void;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function write(res: ServerResponse, response: SimResponse): void {
  const body = response.body;
  const isText = typeof body === "string";
  res.writeHead(response.status ?? 200, {
    "content-type": isText ? "text/plain" : "application/json",
    ...response.headers,
  });
  res.end(body === undefined ? "" : isText ? body : JSON.stringify(body));
}

/**
 * A loopback HTTP server speaking one provider's wire format. It records every
 * request and lets a test inject faults per route: a status with `Retry-After`, latency, a
 * dropped connection, or N failures then success. Routes are keyed `"METHOD /path"`; a path may
 * end in `/*` to match a prefix.
 */
export async function startSimulator(routes: Record<string, SimRoute>): Promise<Simulator> {
  const requests: RecordedRequest[] = [];
  const faults = new Map<string, Fault & { remaining: number }>();
  const sockets = new Set<Socket>();
  let latency = 0;
  let inFlight = 0;
  let peak = 0;

  const routeKey = (method: string, path: string): string | undefined => {
    const exact = `${method} ${path}`;
    if (routes[exact]) return exact;
    return Object.keys(routes)
      .filter((key) => key.endsWith("/*") && exact.startsWith(key.slice(0, -1)))
      .sort((a, b) => b.length - a.length)[0];
  };

  const takeFault = (key: string): Fault | undefined => {
    for (const candidate of [key, "*"]) {
      const fault = faults.get(candidate);
      if (!fault) continue;
      fault.remaining--;
      if (fault.remaining <= 0) faults.delete(candidate);
      return fault;
    }
    return undefined;
  };

  const server: Server = createServer(async (req, res) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    let settled = false;
    const settle = () => {
      if (!settled) inFlight--;
      settled = true;
    };
    res.on("close", settle);
    const url = new URL(req.url ?? "/", "http://sim");
    const recorded: RecordedRequest = {
      method: req.method ?? "GET",
      path: url.pathname,
      query: url.searchParams,
      headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
      body: await readBody(req),
      at: Date.now(),
    };
    requests.push(recorded);
    const key = routeKey(recorded.method, recorded.path);
    const fault = takeFault(key ?? `${recorded.method} ${recorded.path}`);
    const delay = latency + (fault?.latencyMs ?? 0);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    if (fault?.drop) {
      req.socket.destroy();
      return;
    }
    if (fault?.status) {
      write(res, {
        status: fault.status,
        headers: fault.retryAfter === undefined ? {} : { "retry-after": String(fault.retryAfter) },
        body: fault.body ?? { error: `injected ${fault.status}` },
      });
      return;
    }
    if (!key) {
      write(res, {
        status: 404,
        body: { error: `simulator has no route for ${recorded.method} ${recorded.path}` },
      });
      return;
    }
    try {
      write(res, await routes[key]!(recorded));
    } catch (err) {
      write(res, { status: 500, body: { error: err instanceof Error ? err.message : String(err) } });
    }
  });
  // Idle keep-alive sockets are closed by the client first (undici: 4 s), never under a request
  // it is about to send on them ("other side closed" when a loaded machine delays the reuse).
  server.keepAliveTimeout = 65_000;
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const routeOf = (r: RecordedRequest) => routeKey(r.method, r.path) ?? `${r.method} ${r.path}`;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    requestsTo: (key) => requests.filter((r) => routeOf(r) === key),
    fault: (key, fault) => faults.set(key, { ...fault, remaining: fault.times ?? Number.POSITIVE_INFINITY }),
    clearFaults: () => faults.clear(),
    setLatency: (ms) => {
      latency = ms;
    },
    peakConcurrency: () => peak,
    resetPeakConcurrency: () => {
      peak = inFlight;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
