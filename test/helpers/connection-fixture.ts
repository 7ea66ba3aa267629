import { afterAll, beforeAll, beforeEach } from "vitest";
import { integrationConnections, tenants } from "../../db/schema.ts";
import type { ApiKeySimulator } from "../../local/sandbox/api-key-server.ts";
import type { OAuthSimulator } from "../../local/sandbox/oauth-server.ts";
import { startSandbox } from "../../local/sandbox/start-sandbox.ts";
import { buildDeps, type Deps } from "../../src/build-deps.ts";
import { encryptCredentials } from "../../src/connections/credential-cipher.ts";
import type { OAuthSettings } from "../../src/connections/oauth-settings.ts";
import { refreshDueAt } from "../../src/connections/refresh-schedule.ts";
import { parseKeyRing } from "../../src/crypto/key-ring.ts";
import { createTriggerJobQueue } from "../../src/jobs.ts";
import { findProvider } from "../../src/providers/catalog.ts";
import { captureLogs } from "./capture-logs.ts";
import { createTestDb, type TestDb } from "./test-db.ts";

export interface ConnectionFixture {
  db: TestDb;
  deps: Deps;
  oauth: OAuthSettings;
  google: OAuthSimulator;
  slack: OAuthSimulator;
  meta: OAuthSimulator;
  resend: ApiKeySimulator;
  stripe: OAuthSimulator;
  /** Slack incoming-webhook posts the platform alert channel received. */
  alerts(): string[];
  logs: string[];
  close(): Promise<void>;
}

const CLIENT = { id: "test-client", secret: "test-client-secret-value" };

/** A database plus Google-, Slack-, Meta- and Resend-like simulators wired into connection deps. */
export async function createConnectionFixture(): Promise<ConnectionFixture> {
  const captured = captureLogs();
  const logs = captured.lines;
  const db = await createTestDb();
  const sandbox = await startSandbox({ client: CLIENT, resendKeys: ["re_valid_test_key"] });
  const { google, slack, meta, resend, stripe, env } = sandbox;
  const keyRing = await parseKeyRing(process.env.ENCRYPTION_KEYS!);
  const deps = buildDeps({
    db: db.db,
    keyRing,
    env: { ...env, ALERTS_SLACK_WEBHOOK_URL: `${slack.url}/hooks/platform` },
    jobs: createTriggerJobQueue(),
  });
  return {
    db,
    deps,
    oauth: {
      stateSecret: "test-oauth-state-secret-0123456789abcdef",
      publicBaseUrl: "http://switchboard.test",
      allowedReturnOrigins: ["http://app.test"],
      defaultReturnUrl: "http://app.test/integrations",
    },
    google,
    slack,
    meta,
    resend,
    stripe,
    alerts: () => slack.requests.filter((r) => r.path.startsWith("/hooks/")).map((r) => r.body),
    logs,
    close: async () => {
      captured.stop();
      await sandbox.close();
      await db.close();
    },
  };
}

/**
 * One connection fixture for the calling test file: created before its first test, closed after
 * its last, and before each test its tables emptied and every simulator's requests, faults,
 * latency and peak concurrency reset. The returned object is filled in before the first test.
 */
export function useConnectionFixture(): ConnectionFixture {
  const fx = {} as ConnectionFixture;
  beforeAll(async () => {
    Object.assign(fx, await createConnectionFixture());
  });
  afterAll(async () => fx.close?.());
  beforeEach(async () => {
    await fx.db.truncate();
    for (const sim of [fx.google, fx.slack, fx.meta, fx.stripe]) {
      sim.requests.length = 0;
      sim.clearFaults();
      sim.setLatency(0);
      sim.resetPeakConcurrency();
    }
    fx.resend.requests.length = 0;
  });
  return fx;
}

/** Inserts a tenant and an OAuth connection holding the given tokens. */
export async function seedConnection(
  fx: ConnectionFixture,
  input: {
    provider: string;
    accessToken: string;
    refreshToken?: string;
    expiresAt: Date;
    tenantName?: string;
  },
) {
  const [tenant] = await fx.db.db
    .insert(tenants)
    .values({ name: input.tenantName ?? "Acme" })
    .returning();
  const owner = { tenantId: tenant!.id, provider: input.provider };
  const sealed = await encryptCredentials(fx.deps.keyRing, owner, {
    access_token: input.accessToken,
    ...(input.refreshToken ? { refresh_token: input.refreshToken } : {}),
  });
  const [row] = await fx.db.db
    .insert(integrationConnections)
    .values({
      ...owner,
      ...sealed,
      tokenExpiresAt: input.expiresAt,
      refreshDueAt: refreshDueAt(findProvider(input.provider)!, input.expiresAt),
    })
    .returning();
  return row!;
}
