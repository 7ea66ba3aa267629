import { type Simulator, startSimulator } from "./simulator.ts";

export interface BetterStackSimulator extends Simulator {
  /** Incidents opened, by id, with whether they were resolved. */
  incidents: Map<string, { summary: string; resolved: boolean }>;
  /** Heartbeat pings received: `<token>` or `<token>/fail`. */
  heartbeats(): string[];
}

/**
 * Better Stack Uptime on loopback: heartbeats (`GET|POST /api/v1/heartbeat/<token>[/fail]`) and
 * incidents (`POST /api/v2/incidents` → 201 JSON:API, `POST /api/v2/incidents/<id>/resolve`,
 * 409 when already resolved), behind `Authorization: Bearer <token>`.
 */
export async function startBetterStackSimulator(
  apiToken = "bs_sandbox_token",
): Promise<BetterStackSimulator> {
  const incidents = new Map<string, { summary: string; resolved: boolean }>();
  let next = 1;
  const authed = (authorization: string | undefined) => authorization === `Bearer ${apiToken}`;
  const heartbeat = () => ({ status: 200, body: "OK" });
  const sim = await startSimulator({
    "GET /api/v1/heartbeat/*": heartbeat,
    "POST /api/v1/heartbeat/*": heartbeat,
    "POST /api/v2/incidents": (request) => {
      if (!authed(request.headers.authorization)) return { status: 401, body: { errors: "Unauthorized" } };
      const body = JSON.parse(request.body || "{}") as { summary?: string; requester_email?: string };
      if (!body.summary || !body.requester_email)
        return { status: 422, body: { errors: "summary and requester_email are required" } };
      const id = String(next++);
      incidents.set(id, { summary: body.summary, resolved: false });
      return { status: 201, body: { data: { id, type: "incident", attributes: { name: body.summary } } } };
    },
    "POST /api/v2/incidents/*": (request) => {
      if (!authed(request.headers.authorization)) return { status: 401, body: { errors: "Unauthorized" } };
      const [, , , , id, action] = request.path.split("/");
      const incident = incidents.get(id ?? "");
      if (!incident || action !== "resolve") return { status: 404, body: { errors: "Not found" } };
      if (incident.resolved) return { status: 409, body: { errors: "Incident already resolved" } };
      incident.resolved = true;
      return { status: 200, body: { data: { id, type: "incident" } } };
    },
  });
  return {
    ...sim,
    incidents,
    heartbeats: () =>
      sim.requests
        .filter((r) => r.path.startsWith("/api/v1/heartbeat/"))
        .map((r) => r.path.slice("/api/v1/heartbeat/".length)),
  };
}
