import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { describeError } from "../src/errors.ts";
import { logger } from "../src/observability/logger.ts";

export type FetchHandler = (request: Request) => Promise<Response>;

function toRequest(req: IncomingMessage, origin: string): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, value);
  }
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  return new Request(new URL(req.url ?? "/", origin), {
    method: req.method ?? "GET",
    headers,
    ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream, duplex: "half" } : {}),
  } as RequestInit);
}

async function send(req: IncomingMessage, res: ServerResponse, response: Response): Promise<void> {
  res.statusCode = response.status;
  // A body the handler refused to read (413) leaves the connection unusable for the next request.
  if (!req.complete) res.setHeader("connection", "close");
  for (const [name, value] of response.headers) res.setHeader(name, value);
  if (!response.body) {
    res.end();
    return;
  }
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) res.write(chunk);
  res.end();
}

/** Serves a web-standard fetch handler on Node's HTTP server. */
export async function serve(
  handler: FetchHandler,
  port: number,
  host = "127.0.0.1",
): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const origin = `http://${req.headers.host ?? `${host}:${port}`}`;
    handler(toRequest(req, origin))
      .then((response) => send(req, res, response))
      .catch((err) => {
        logger.error("request failed", { path: req.url, err });
        if (!res.headersSent) {
          res.writeHead(500, { "content-type": "application/json" });
          res.end(JSON.stringify({ error: describeError(err).message }));
        } else res.destroy();
      })
      .finally(() => {
        // Anything the handler chose not to read (an oversize body) is discarded.
        if (!req.complete) req.resume();
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return { server, url: `http://${host}:${address.port}` };
}
