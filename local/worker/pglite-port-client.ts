import type { MessagePort } from "node:worker_threads";
import {
  fromPortError,
  type PgliteReply,
  type PgliteRequest,
  type PortQueryOptions,
} from "./pglite-port-protocol.ts";

type Options = { rowMode?: "array" | "object"; parsers?: Record<number, (value: string) => unknown> };
type Request = PgliteRequest extends infer R ? (R extends unknown ? Omit<R, "id"> : never) : never;

/** Drizzle's pglite session passes pass-through parsers only; anything else cannot cross threads. */
function portOptions(options: Options | undefined): PortQueryOptions | undefined {
  if (!options) return undefined;
  const passThroughTypes = Object.entries(options.parsers ?? {}).map(([oid, parse]) => {
    if (parse("2000-01-01") !== "2000-01-01") throw new Error(`Parser for type ${oid} cannot cross threads`);
    return Number(oid);
  });
  return { ...(options.rowMode ? { rowMode: options.rowMode } : {}), passThroughTypes };
}

interface QueryClient {
  query(sql: string, params?: unknown[], options?: Options): Promise<unknown>;
  exec(sql: string, options?: Options): Promise<unknown>;
}

/**
 * The PGlite methods drizzle's pglite driver uses (`query`, `exec`, `transaction`), answered by
 * the runtime's PGlite over a MessagePort (see serve-pglite-port.ts). A task worker builds its
 * drizzle database on this, so task code runs the same queries and transactions as in one process.
 */
export class PglitePortClient implements QueryClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(err: Error): void }>();

  constructor(private readonly port: MessagePort) {
    port.on("message", (reply: PgliteReply) => {
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      if (reply.ok) waiting.resolve(reply.value);
      else waiting.reject(fromPortError(reply.error));
    });
  }

  private call(request: Request): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.port.postMessage({ ...request, id });
    });
  }

  private client(tx: number | undefined): QueryClient {
    const scope = tx === undefined ? {} : { tx };
    return {
      query: (sql, params, options) =>
        this.call({
          op: "query",
          ...scope,
          sql,
          ...(params ? { params } : {}),
          options: portOptions(options),
        }),
      exec: (sql, options) => this.call({ op: "exec", ...scope, sql, options: portOptions(options) }),
    };
  }

  query(sql: string, params?: unknown[], options?: Options): Promise<unknown> {
    return this.client(undefined).query(sql, params, options);
  }

  exec(sql: string, options?: Options): Promise<unknown> {
    return this.client(undefined).exec(sql, options);
  }

  async transaction<T>(fn: (tx: QueryClient) => Promise<T>): Promise<T> {
    const tx = (await this.call({ op: "begin" })) as number;
    let result: T;
    try {
      result = await fn(this.client(tx));
    } catch (err) {
      await this.call({ op: "rollback", tx }).catch(() => undefined);
      throw err;
    }
    await this.call({ op: "commit", tx });
    return result;
  }
}
