import type { KeyRing } from "../crypto/key-ring.ts";
import type { Db } from "../db/types.ts";
import type { ProviderHttpClient } from "../providers/provider-http-client.ts";
import type { Notifier } from "./connection-notifier.ts";

/** What connection flows need; built by tasks, the CLI, the local runtime and tests. */
export interface ConnectionDeps {
  db: Db;
  keyRing: KeyRing;
  notifier: Notifier;
  /** Provider credentials and endpoint overrides (`<ID>_CLIENT_ID`, `<ID>_TOKEN_URL`, …). */
  env: Record<string, string | undefined>;
  /** Every provider call goes through it (timeout, timing log, error classification). */
  http: ProviderHttpClient;
}
