import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Pool } from "@neondatabase/serverless";

const raw = { getTypeParser: () => (value: string) => value };

/**
 * A stand-in for Neon's SQL-over-HTTP endpoint on top of a Pool (through the local bridge), so the
 * Neon HTTP driver — what web handlers use in production — runs against the test server. It
 * answers as Neon does: text values in array rows with each field's type oid, `{ results }` for
 * batches (run in one transaction), 400 `{ message, code }` for SQL errors.
 */
export async function startNeonHttpStandIn(pool: Pool): Promise<{
  url: string;
  port: number;
  queries: string[];
  /** While down, every request's connection is dropped (the database is unreachable). */
  setDown(down: boolean): void;
  close(): Promise<void>;
}> {
  const queries: string[] = [];
  let down = false;
  const run = async (client: { query: Pool["query"] }, q: { query: string; params: unknown[] }) => {
    queries.push(q.query);
    const result = (await client.query({
      text: q.query,
      values: q.params,
      rowMode: "array",
      types: raw,
    } as never)) as {
      command: string;
      rowCount: number;
      fields: { name: string; dataTypeID: number }[];
      rows: unknown[][];
    };
    return {
      command: result.command,
      rowCount: result.rowCount,
      fields: result.fields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })),
      rows: result.rows,
    };
  };
  const server: Server = createServer(async (req, res) => {
    if (down) {
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as
      | { query: string; params: unknown[] }
      | { queries: { query: string; params: unknown[] }[] };
    try {
      let answer: unknown;
      if ("queries" in body) {
        const client = await pool.connect();
        try {
          await client.query("begin");
          const results = [];
          for (const q of body.queries) results.push(await run(client as never, q));
          await client.query("commit");
          answer = { results };
        } catch (err) {
          await client.query("rollback");
          throw err;
        } finally {
          client.release();
        }
      } else {
        answer = await run(pool, body);
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(answer));
    } catch (err) {
      const e = err as { message: string; code?: string };
      res.writeHead(400, { "content-type": "application/json" });
      res.end(JSON.stringify({ message: e.message, code: e.code }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/sql`,
    port,
    queries,
    setDown: (value) => {
      down = value;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
