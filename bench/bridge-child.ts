import { fork } from "node:child_process";

/** A handle on the database bridge running in a child process (bench/bridge-process.ts). */
export interface BridgeChild {
  port: number;
  /** CPU the bridge process has used so far, in milliseconds. */
  cpuMs(): Promise<number>;
  close(): Promise<void>;
}

export async function startBridgeChild(): Promise<BridgeChild> {
  const child = fork(new URL("./bridge-process.ts", import.meta.url), {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once("message", (m: { ready?: number }) =>
      m.ready ? resolve(m.ready) : reject(new Error("no ready")),
    );
    child.once("exit", (code) => reject(new Error(`bridge process exited (${code})`)));
  });
  const ask = <T>(op: string) =>
    new Promise<T>((resolve) => {
      child.once("message", (m: { reply: T }) => resolve(m.reply));
      child.send({ op });
    });
  return {
    port,
    cpuMs: async () => (await ask<number>("cpu")) / 1000,
    close: async () => {
      await Promise.race([ask("close"), new Promise((r) => setTimeout(r, 2_000))]);
      child.kill();
    },
  };
}
