import { catalog } from "../../src/providers/catalog.ts";
import { catalogEndpoints } from "./catalog-endpoints.ts";
import { type Simulator, startSimulator } from "./simulator.ts";

/**
 * In sandbox mode no request may leave the machine: every catalog provider without a simulator of
 * its own gets its endpoints pointed at this loopback server, which answers 501 naming the
 * provider, so a missing simulator is a clear local error and never a call to the real provider.
 * Only the endpoints the catalog defines are pointed (catalog-endpoints.ts).
 */
export async function startUnsimulatedProviders(
  simulated: Record<string, string>,
): Promise<{ sim: Simulator; env: Record<string, string> }> {
  const sim = await startSimulator({
    "GET /*": (request) => refuse(request.path),
    "POST /*": (request) => refuse(request.path),
    "PUT /*": (request) => refuse(request.path),
    "DELETE /*": (request) => refuse(request.path),
  });
  const env: Record<string, string> = {};
  for (const entry of catalog) {
    const prefix = entry.id.toUpperCase();
    for (const endpoint of catalogEndpoints(entry.id)) {
      const name = `${prefix}_${endpoint}`;
      if (!simulated[name])
        env[name] = `${sim.url}/${entry.id}/${endpoint.toLowerCase().replace("_url", "")}`;
    }
  }
  return { sim, env };
}

function refuse(path: string) {
  const provider = path.split("/")[1] ?? "this provider";
  return {
    status: 501,
    body: {
      error: `sandbox mode: there is no simulator for ${provider}; configure real credentials to use it`,
    },
  };
}
