import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { Readable } from "node:stream";
import { logger } from "../src/observability/logger.ts";

export type FetchHandler = (request: Request) => Promise<Response>;

/** A request Node accepted but the fetch API cannot represent: answered 4xx, never thrown. */
class BadRequest extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

// Methods `new Request()` refuses (forbidden or not tokens); everything else reaches the handler.
const FORBIDDEN_METHODS = new Set(["CONNECT", "TRACE", "TRACK"]);

/**
 * The request as a web `Request`. The origin is the address the server listens on, never the
 * client's Host header (a malformed Host must not decide how the target parses); only
 * origin-form targets (`/path?query`) are served.
 */
function toRequest(req: IncomingMessage, origin: string, signal: AbortSignal): Request {
  const method = req.method ?? "GET";
  if (FORBIDDEN_METHODS.has(method)) throw new BadRequest(405, `Method ${method} is not allowed`);
  const target = req.url ?? "/";
  if (!target.startsWith("/") || target.startsWith("//")) {
    throw new BadRequest(400, "Only origin-form request targets (/path) are served");
  }
  let url: URL;
  try {
    url = new URL(target, origin);
  } catch {
    throw new BadRequest(400, "Malformed request target");
  }
  const headers = new Headers();
  try {
    for (const [name, value] of Object.entries(req.headers)) {
      if (Array.isArray(value)) for (const v of value) headers.append(name, v);
      else if (value !== undefined) headers.set(name, value);
    }
  } catch {
    throw new BadRequest(400, "Malformed request header");
  }
  const hasBody = method !== "GET" && method !== "HEAD";
  try {
    return new Request(url, {
      method,
      headers,
      signal,
      ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream, duplex: "half" } : {}),
    } as RequestInit);
  } catch {
    throw new BadRequest(400, "Malformed request");
  }
}

function sendError(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { "content-type": "application/json", connection: "close" });
  res.end(JSON.stringify({ error: message }));
}

async function send(req: IncomingMessage, res: ServerResponse, response: Response): Promise<void> {
  res.statusCode = response.status;
  // A body the handler refused to read (413) leaves the connection unusable for the next request.
  if (!req.complete) res.setHeader("connection", "close");
  for (const [name, value] of response.headers) res.setHeader(name, value);
  if (!response.body || req.method === "HEAD") {
    res.end();
    return;
  }
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) res.write(chunk);
  res.end();
}

/** Requests Node's parser rejects before they reach the listener: a JSON 4xx and a log line. */
function onClientError(err: Error & { code?: string }, socket: Socket): void {
  logger.warn("malformed request refused", { code: err.code ?? "unknown" });
  if (!socket.writable || (socket as Socket & { _httpMessage?: unknown })._httpMessage) {
    socket.destroy();
    return;
  }
  const status =
    err.code === "HPE_HEADER_OVERFLOW" ? 431 : err.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400;
  const body = JSON.stringify({ error: status === 431 ? "Request headers too large" : "Malformed request" });
  socket.end(
    `HTTP/1.1 ${status} ${status === 431 ? "Request Header Fields Too Large" : status === 408 ? "Request Timeout" : "Bad Request"}\r\n` +
      `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

/**
 * Serves a web-standard fetch handler on Node's HTTP server. No request can take the process
 * down: every failure becomes a JSON 4xx/5xx and one log line, and a 5xx body never carries the
 * error's message (it may hold SQL or a payload).
 */
export async function serve(
  handler: FetchHandler,
  port: number,
  host = "127.0.0.1",
): Promise<{ server: Server; url: string }> {
  let origin = `http://${host}:${port}`;
  const server = createServer((req, res) => {
    req.on("error", () => {}); // a client that hangs up mid-body: the handler sees the stream fail
    res.on("error", () => {});
    let request: Request;
    // Aborted when the client goes away before the answer is sent (long polls stop waiting).
    const hangUp = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) hangUp.abort();
    });
    try {
      request = toRequest(req, origin, hangUp.signal);
    } catch (err) {
      const status = err instanceof BadRequest ? err.status : 400;
      const message = err instanceof BadRequest ? err.message : "Malformed request";
      logger.warn("request refused", { method: req.method, status, reason: message });
      sendError(res, status, message);
      req.resume();
      return;
    }
    let handled: Promise<Response>;
    try {
      handled = handler(request);
    } catch (err) {
      handled = Promise.reject(err);
    }
    handled
      .then((response) => send(req, res, response))
      .catch((err) => {
        logger.error("request failed", { method: req.method, path: new URL(request.url).pathname, err });
        sendError(res, 500, "Internal error; the runtime's log has the details");
      })
      .finally(() => {
        // Anything the handler chose not to read (an oversize body) is discarded.
        if (!req.complete) req.resume();
      });
  });
  server.on("clientError", onClientError);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const listenHost = host.includes(":") ? `[${host}]` : host;
  origin = `http://${listenHost}:${address.port}`;
  return { server, url: origin };
}
