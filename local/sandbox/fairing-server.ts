import { generateFairingResponse, SIM_QUESTIONS, type SimFairingResponse } from "./fairing-data.ts";
import { presentedKey } from "./key-auth.ts";
import { type RecordedRequest, type SimResponse, type Simulator, startSimulator } from "./simulator.ts";

interface Store {
  seed: number;
  responses: SimFairingResponse[];
  index: Map<string, number>;
  /** Request times within the rate-limit window. */
  recent: number[];
}

export interface FairingStoreOptions {
  seed?: number;
  /** How many responses the store already has (default 25). */
  count?: number;
  /** When the first of them was inserted, and the gap between two (default: a minute apart, ending now). */
  start?: Date;
  spacingMs?: number;
}

export interface FairingSimulator extends Simulator {
  /** A store answering to `apiKey`, with deterministic generated responses. */
  addStore(apiKey: string, options?: FairingStoreOptions): void;
  /** New responses, inserted now, or at `insertedAt` (a past time: a late write becoming visible). */
  addResponses(apiKey: string, count: number, options?: { insertedAt?: Date }): SimFairingResponse[];
  /** An edited answer: `updated_at` becomes now. */
  editResponse(apiKey: string, id: string, answer: string): SimFairingResponse;
  responses(apiKey: string): SimFairingResponse[];
  /** The key stops working (401), as when a merchant rotates it. */
  revokeKey(apiKey: string): void;
}

export interface FairingSimulatorOptions {
  /** The largest page served, whatever `limit` asks (community sources: 100 or 1000). */
  maxLimit?: number;
  /** Answer 429 with Retry-After beyond this many requests per window and store. */
  rateLimit?: { requests: number; windowMs: number };
}

/**
 * Fairing on loopback, in the community-sourced wire format of `src/providers/fairing-wire.ts`:
 * `GET /questions`, `GET /responses` filtered by `updated_at_min`, paged by `limit` and
 * `starting_after` with absolute `next` links; the key in `Authorization` (with or without
 * `Bearer`). Stores are generated from a seed, can grow, get edits and late writes, and an
 * optional per-store rate limit answers 429 with Retry-After. Faults (429, 5xx, drops) can also
 * be injected per route through the generic simulator.
 */
export async function startFairingSimulator(
  options: FairingSimulatorOptions = {},
): Promise<FairingSimulator> {
  const stores = new Map<string, Store>();
  const revoked = new Set<string>();
  const maxLimit = options.maxLimit ?? 100;
  let baseUrl = "";

  const authorize = (request: RecordedRequest): Store | SimResponse => {
    const key = presentedKey(request, { header: "authorization" }).replace(/^Bearer\s+/i, "");
    const store = revoked.has(key) ? undefined : stores.get(key);
    if (!store) return { status: 401, body: { error: "Unauthorized", message: "Invalid API token" } };
    const limit = options.rateLimit;
    if (limit) {
      const now = Date.now();
      store.recent = store.recent.filter((t) => t > now - limit.windowMs);
      if (store.recent.length >= limit.requests) {
        const wait = Math.ceil((store.recent[0]! + limit.windowMs - now) / 1000);
        return {
          status: 429,
          headers: { "retry-after": String(wait) },
          body: { error: "Too Many Requests" },
        };
      }
      store.recent.push(now);
    }
    return store;
  };
  const isStore = (value: Store | SimResponse): value is Store => "responses" in value;

  const sim = await startSimulator({
    "GET /questions": (request) => {
      const store = authorize(request);
      if (!isStore(store)) return store;
      return {
        body: { data: SIM_QUESTIONS.map(({ id, type, prompt }) => ({ id, type, prompt })), next: null },
      };
    },
    "GET /responses": (request) => {
      const store = authorize(request);
      if (!isStore(store)) return store;
      const limit = Math.min(Math.max(Number(request.query.get("limit") ?? 25) || 25, 1), maxLimit);
      const minParam = request.query.get("updated_at_min");
      const min = minParam ? Date.parse(minParam) : Number.NEGATIVE_INFINITY;
      if (Number.isNaN(min)) return { status: 400, body: { error: "updated_at_min is not a date" } };
      const after = request.query.get("starting_after");
      let at = after ? (store.index.get(after) ?? -2) + 1 : 0;
      if (at < 0) return { status: 400, body: { error: `unknown starting_after ${after}` } };
      const data: SimFairingResponse[] = [];
      let more = false;
      for (; at < store.responses.length; at++) {
        const row = store.responses[at]!;
        if (Date.parse(row.updated_at) < min) continue;
        if (data.length === limit) {
          more = true;
          break;
        }
        data.push(row);
      }
      const next = new URL(`${baseUrl}/responses`);
      for (const [name, value] of request.query)
        if (name !== "starting_after") next.searchParams.set(name, value);
      if (data.length > 0) next.searchParams.set("starting_after", data.at(-1)!.id);
      return { body: { data, next: more ? next.toString() : null, prev: null } };
    },
  });
  baseUrl = sim.url;

  const storeOf = (apiKey: string): Store => {
    const store = stores.get(apiKey);
    if (!store) throw new Error(`no simulated Fairing store for that key`);
    return store;
  };
  const append = (store: Store, insertedAt: Date): SimFairingResponse => {
    const row = generateFairingResponse(store.seed, store.responses.length + 1, insertedAt);
    store.index.set(row.id, store.responses.length);
    store.responses.push(row);
    return row;
  };

  return {
    ...sim,
    addStore(apiKey, storeOptions = {}) {
      const count = storeOptions.count ?? 25;
      const spacing = storeOptions.spacingMs ?? 60_000;
      const start = storeOptions.start ?? new Date(Date.now() - count * spacing);
      const store: Store = { seed: storeOptions.seed ?? 1, responses: [], index: new Map(), recent: [] };
      for (let i = 0; i < count; i++) append(store, new Date(start.getTime() + i * spacing));
      stores.set(apiKey, store);
      revoked.delete(apiKey);
    },
    addResponses(apiKey, count, addOptions = {}) {
      const store = storeOf(apiKey);
      return Array.from({ length: count }, () => append(store, addOptions.insertedAt ?? new Date()));
    },
    editResponse(apiKey, id, answer) {
      const store = storeOf(apiKey);
      const row = store.responses[store.index.get(id) ?? -1];
      if (!row) throw new Error(`no response ${id}`);
      row.response = answer;
      row.updated_at = new Date().toISOString();
      return row;
    },
    responses: (apiKey) => storeOf(apiKey).responses,
    revokeKey: (apiKey) => void revoked.add(apiKey),
  };
}
