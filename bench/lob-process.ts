import { startLobSimulator } from "../local/sandbox/lob-server.ts";

// The Lob simulator in its own process (bench/health-sweep.ts), so the provider's work does not
// share an event loop with the code measured. Latency from argv[2] (ms).
const sim = await startLobSimulator(["test_sandbox_lob_key"]);
sim.setLatency(Number(process.argv[2] ?? 20));
process.send?.({ ready: sim.url });
process.on("disconnect", () => void sim.close().then(() => process.exit(0)));
