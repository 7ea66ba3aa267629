import { type ChildProcess, fork } from "node:child_process";

export interface ProviderStats {
  refreshCalls: number;
  distinct: number;
  staleUses: number;
  peakConcurrency: number;
}

/** A handle on the token-endpoint simulator running in a child process (bench/provider-process.ts). */
export interface ProviderChild {
  tokenUrl: string;
  seed(prefix: string, count: number): Promise<void>;
  setLatency(ms: number): Promise<void>;
  reset(): Promise<void>;
  stats(prefix: string): Promise<ProviderStats>;
  close(): Promise<void>;
}

export async function startProviderChild(): Promise<ProviderChild> {
  const child: ChildProcess = fork(new URL("./provider-process.ts", import.meta.url), {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const tokenUrl = await new Promise<string>((resolve, reject) => {
    child.once("message", (m: { ready?: string }) =>
      m.ready ? resolve(m.ready) : reject(new Error("no ready")),
    );
    child.once("exit", (code) => reject(new Error(`provider process exited (${code})`)));
  });
  // One command at a time: replies come back in order.
  let chain: Promise<unknown> = Promise.resolve();
  const ask = <T>(command: Record<string, unknown>): Promise<T> => {
    const next = chain.then(
      () =>
        new Promise<T>((resolve) => {
          child.once("message", (m: { reply: T }) => resolve(m.reply));
          child.send(command);
        }),
    );
    chain = next.catch(() => undefined);
    return next;
  };
  return {
    tokenUrl,
    seed: (prefix, count) => ask({ op: "seed", prefix, count }),
    setLatency: (ms) => ask({ op: "latency", ms }),
    reset: () => ask({ op: "reset" }),
    stats: (prefix) => ask({ op: "stats", prefix }),
    close: async () => {
      await ask({ op: "close" }).catch(() => undefined);
      child.kill();
    },
  };
}
