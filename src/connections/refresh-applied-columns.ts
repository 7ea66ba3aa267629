import { sql } from "drizzle-orm";

/**
 * The columns every applied refresh answer sets on `integration_connections c` (the single and the
 * batched writer alike), besides the credentials and expiry it brings: token version bumped,
 * pending answer cleared, lease released, refresh-failure streak reset. Failing health probes keep
 * their failure streak (status machine: apply-connection-signals.ts).
 */
export const refreshAppliedColumns = sql`token_version = c.token_version + 1,
        pending_credentials = null,
        pending_token_expires_at = null,
        refresh_lease_owner = null,
        refresh_lease_until = null,
        last_refreshed_at = now(),
        refresh_failures = 0,
        failing_since = case when c.health_failures = 0 then null else c.failing_since end,
        last_error = case when c.health_failures = 0 then null else c.last_error end,
        last_error_at = case when c.health_failures = 0 then null else c.last_error_at end,
        updated_at = now()`;
