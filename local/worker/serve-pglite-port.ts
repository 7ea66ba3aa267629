import type { MessagePort } from "node:worker_threads";
import type { PGlite, QueryOptions, Transaction } from "@electric-sql/pglite";
import {
  type PgliteReply,
  type PgliteRequest,
  type PortQueryOptions,
  toPortError,
} from "./pglite-port-protocol.ts";

const passThrough = (value: string) => value;

function queryOptions(options: PortQueryOptions | undefined): QueryOptions | undefined {
  if (!options) return undefined;
  return {
    ...(options.rowMode ? { rowMode: options.rowMode } : {}),
    ...(options.passThroughTypes
      ? { parsers: Object.fromEntries(options.passThroughTypes.map((oid) => [oid, passThrough])) }
      : {}),
  };
}

interface OpenTransaction {
  tx: Transaction;
  end(commit: boolean): Promise<void>;
}

const ROLLBACK = Symbol("rollback");

/**
 * Answers a task worker's database calls on the runtime's PGlite. A worker's transaction is a
 * real `pglite.transaction` held open here until the worker commits or rolls back, so PGlite's
 * own lock orders it against every other query, as in one process. Transactions left open when
 * the port closes (the worker died) are rolled back.
 */
export function servePglitePort(pglite: PGlite, port: MessagePort): void {
  const open = new Map<number, OpenTransaction>();
  let nextTx = 1;

  const begin = (): Promise<number> =>
    new Promise((resolveBegin, rejectBegin) => {
      const id = nextTx++;
      let finish!: (commit: boolean) => void;
      const held = new Promise<void>((resolve, reject) => {
        finish = (commit) => (commit ? resolve() : reject(ROLLBACK));
      });
      let begun = false;
      const done: Promise<void> = pglite
        .transaction(async (tx) => {
          open.set(id, {
            tx,
            end: (commit) => {
              finish(commit);
              return done;
            },
          });
          begun = true;
          resolveBegin(id);
          await held;
        })
        .then(
          () => undefined,
          (err) => {
            if (err !== ROLLBACK) throw err;
          },
        )
        .finally(() => open.delete(id));
      done.catch((err) => {
        if (!begun) rejectBegin(err);
      });
    });

  const handle = async (request: PgliteRequest): Promise<unknown> => {
    switch (request.op) {
      case "begin":
        return begin();
      case "commit":
      case "rollback": {
        const tx = open.get(request.tx);
        if (!tx) throw new Error(`No open transaction ${request.tx}`);
        await tx.end(request.op === "commit");
        return null;
      }
      default: {
        const target = request.tx === undefined ? pglite : open.get(request.tx)?.tx;
        if (!target) throw new Error(`No open transaction ${request.tx}`);
        if (request.op === "exec") return target.exec(request.sql, queryOptions(request.options));
        return target.query(request.sql, request.params, queryOptions(request.options));
      }
    }
  };

  port.on("message", (request: PgliteRequest) => {
    handle(request).then(
      (value) => port.postMessage({ id: request.id, ok: true, value } satisfies PgliteReply),
      (err) => port.postMessage({ id: request.id, ok: false, error: toPortError(err) } satisfies PgliteReply),
    );
  });
  port.on("close", () => {
    for (const tx of open.values()) void tx.end(false).catch(() => undefined);
  });
}
