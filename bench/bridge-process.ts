import { startWsBridge } from "../src/db/ws-bridge.ts";

/**
 * The WebSocket-to-TCP bridge (`src/db/ws-bridge.ts`) in its own process, for benchmarks: it
 * stands in for Neon's proxy, which production reaches over the network, so its CPU is reported
 * apart from the code under test. IPC: `{ op: "cpu" }` → `{ reply: microseconds of CPU so far }`.
 */
const bridge = await startWsBridge();
process.send?.({ ready: bridge.port });
process.on("message", async (command: { op: "cpu" | "close" }) => {
  if (command.op === "cpu") {
    const usage = process.cpuUsage();
    process.send?.({ reply: usage.user + usage.system });
  } else {
    await bridge.close();
    process.send?.({ reply: true });
    process.exit(0);
  }
});
