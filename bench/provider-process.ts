import { startOAuthSimulator } from "../local/sandbox/oauth-server.ts";

/**
 * The token endpoint for benchmarks, in its own process so its CPU is not counted against the
 * code under test. Commands arrive over IPC; each is answered with `{ reply }`.
 */
type Command =
  | { op: "seed"; prefix: string; count: number }
  | { op: "latency"; ms: number }
  | { op: "reset" }
  | { op: "stats"; prefix: string }
  | { op: "close" };

const sim = await startOAuthSimulator({ clientId: "bench", clientSecret: "bench-secret" });
const send = (message: unknown) => process.send?.(message);

process.on("message", async (command: Command) => {
  switch (command.op) {
    case "seed":
      for (let i = 0; i < command.count; i++) sim.seedToken(`${command.prefix}_${i}`);
      return send({ reply: true });
    case "latency":
      sim.setLatency(command.ms);
      return send({ reply: true });
    case "reset":
      sim.requests.length = 0;
      sim.resetPeakConcurrency();
      return send({ reply: true });
    case "stats": {
      const valid = new Set(sim.validRefreshTokens());
      const sent = sim
        .requestsTo("POST /token")
        .map((r) => new URLSearchParams(r.body).get("refresh_token") ?? "")
        .filter((token) => token.startsWith(command.prefix));
      return send({
        reply: {
          refreshCalls: sent.length,
          distinct: new Set(sent).size,
          // A refresh token the provider no longer (or never) accepted: answered invalid_grant.
          staleUses: sent.filter((token) => !valid.has(token)).length,
          peakConcurrency: sim.peakConcurrency(),
        },
      });
    }
    case "close":
      await sim.close();
      send({ reply: true });
      process.exit(0);
  }
});
send({ ready: sim.tokenUrl });
