import { beforeAll, describe, expect, it } from "vitest";
import { loadTaskCatalog, type TaskCatalog } from "../../local/executor/task-catalog.ts";

let catalog: TaskCatalog;
beforeAll(async () => {
  catalog = await loadTaskCatalog(["trigger"]);
});

describe("one refresh sweep at a time, so the per-provider cap holds across tenants", () => {
  it("caps every run of the sweep at one, keyed or not, and its queue at one", () => {
    const manifest = catalog.get("token-refresh-sweep")!.manifest;
    // `total` applies whatever concurrencyKey or queue a trigger passes (a queue's own limit is
    // per key once runs carry one).
    expect(manifest.concurrency).toEqual({ inline: { total: 1 } });
    expect(manifest.queue).toMatchObject({ name: "token-refresh-sweep", concurrencyLimit: 1 });
    expect(catalog.queueLimit("token-refresh-sweep")).toBe(1);
  });
});
