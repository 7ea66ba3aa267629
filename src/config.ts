import { z } from "zod";
import { ConfigError } from "./errors.ts";
import { runtimeEnv } from "./observability/runtime.ts";

/**
 * Environment schemas, parsed lazily on first use: the Trigger.dev indexer imports task files at
 * deploy time without the runtime environment, so nothing here may run at module top level.
 * Empty strings count as unset. Every problem is reported in one error.
 */
const optionalString = z.string().min(1).optional();
const optionalUrl = z.url().optional();

/** A switch: 0/false/off/no or 1/true/on/yes (any case, spaces ignored); anything else is refused. */
const onOff = z
  .string()
  .trim()
  .pipe(
    z.stringbool({
      truthy: ["1", "true", "on", "yes"],
      falsy: ["0", "false", "off", "no"],
      case: "insensitive",
      error: "must be one of 0/false/off/no or 1/true/on/yes",
    }),
  );

const baseSchema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  /** Set by the local runtime and CLI: allows a generated development key and sandbox providers. */
  SWITCHBOARD_LOCAL: z.enum(["0", "1"]).default("0"),
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
  /** Neon's pooled URL (host `-pooler`): tasks, CLI and handlers. */
  DATABASE_URL: optionalString,
  /** Neon's direct URL: migrations use it when set (session advisory lock). */
  DATABASE_URL_UNPOOLED: optionalString,
  /** Connections per process in the PostgreSQL pool (one run per Trigger.dev process). */
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(100).optional(),
  /** How long an idle pooled connection stays open, in milliseconds. */
  DATABASE_POOL_IDLE_MS: z.coerce.number().int().min(0).default(10_000),
  DATA_DIR: z.string().min(1).default(".data"),
  ENCRYPTION_KEYS: optionalString,
  /** HMAC key for OAuth `state` (at least 32 characters). */
  OAUTH_STATE_SECRET: z.string().min(32).optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** `npm start`: task directories to load instead of trigger.config.ts's `dirs` (comma-separated). */
  SWITCHBOARD_TASK_DIRS: optionalString,
  /** `npm start`: how long in-flight runs may finish after SIGINT/SIGTERM before they are interrupted. */
  /** `npm start`: each attempt in a worker per task file (ADR 027); read through `isolateTaskFiles`. */
  SWITCHBOARD_ISOLATE_TASK_FILES: onOff.default(true),
  /** `npm start`: how long in-flight runs may finish after SIGINT/SIGTERM before they are interrupted. */
  SWITCHBOARD_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  PUBLIC_BASE_URL: optionalUrl,
  /** Optional features (Sentry, heartbeat, platform alerts): read through `optionalFeatureUrl`. */
  SENTRY_DSN: optionalString,
  SENTRY_ENVIRONMENT: optionalString,
  TRIGGER_SECRET_KEY: optionalString,
  TRIGGER_API_URL: optionalUrl,
  BETTERSTACK_HEARTBEAT_URL: optionalString,
  ALERTS_SLACK_WEBHOOK_URL: optionalString,
});

export type AppConfig = z.infer<typeof baseSchema>;

let cached: AppConfig | undefined;

function withoutEmptyStrings(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() !== "") out[key] = value;
  }
  return out;
}

/** Parses an environment against a schema, listing every missing or invalid variable at once. */
export function parseEnv<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined>,
): z.infer<S> {
  const result = schema.safeParse(withoutEmptyStrings(env));
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join(".") || "(environment)";
    return `${name}: ${issue.message}`;
  });
  throw new ConfigError(`Invalid environment:\n  - ${problems.join("\n  - ")}`, {
    context: { variables: result.error.issues.map((i) => i.path.join(".")) },
  });
}

/** Parses an environment other than the process's (startup checks, tests). */
export function parseConfig(env: NodeJS.ProcessEnv): AppConfig {
  return parseEnv(baseSchema, env);
}

export function getConfig(): AppConfig {
  cached ??= parseEnv(baseSchema, runtimeEnv());
  return cached;
}

/** Forget the parsed configuration (tests and the CLI change the environment at run time). */
export function resetConfig(): void {
  cached = undefined;
}

/** SWITCHBOARD_ISOLATE_TASK_FILES, read now (tests change it between runtimes); ConfigError if invalid. */
export function isolateTaskFiles(env: Record<string, string | undefined> = process.env): boolean {
  return parseEnv(baseSchema.pick({ SWITCHBOARD_ISOLATE_TASK_FILES: true }), env)
    .SWITCHBOARD_ISOLATE_TASK_FILES;
}

export function isLocalMode(): boolean {
  return getConfig().SWITCHBOARD_LOCAL === "1";
}
