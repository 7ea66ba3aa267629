import { type AddressInfo, connect } from "node:net";
import { WebSocketServer } from "ws";

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

export interface WsBridge {
  port: number;
  close(): Promise<void>;
}

/**
 * A WebSocket-to-TCP bridge so the Neon serverless driver (which speaks PostgreSQL over a
 * WebSocket) can reach a PostgreSQL server on this machine, where no Neon proxy exists.
 * Only loopback targets are accepted: it is a development and CI tool, never an open relay.
 */
export async function startWsBridge(): Promise<WsBridge> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0, path: "/v1" });
  server.on("connection", (socket, request) => {
    const address = new URL(request.url ?? "/", "http://bridge").searchParams.get("address") ?? "";
    const separator = address.lastIndexOf(":");
    const host = address.slice(0, separator);
    const port = Number(address.slice(separator + 1));
    if (!LOOPBACK.has(host) || !Number.isInteger(port) || port <= 0) {
      socket.close(1008, "only loopback PostgreSQL targets are bridged");
      return;
    }
    const tcp = connect({ host: host.replace(/^\[|\]$/g, ""), port });
    tcp.setNoDelay(true);
    tcp.on("data", (chunk) => socket.readyState === socket.OPEN && socket.send(chunk));
    tcp.on("close", () => socket.close());
    tcp.on("error", () => socket.close(1011, "database connection failed"));
    socket.on("message", (data: Buffer) => tcp.write(data));
    socket.on("close", () => tcp.destroy());
    socket.on("error", () => tcp.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}
