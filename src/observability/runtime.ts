type Env = Record<string, string | undefined>;

interface NodeLikeProcess {
  env?: Env;
  release?: { name?: string };
  stderr?: { write?: unknown };
}

const nodeProcess = (): NodeLikeProcess | undefined => (globalThis as { process?: NodeLikeProcess }).process;

/**
 * `process.env` where the runtime has one (Node, Vercel's edge runtime), else an empty object:
 * Cloudflare Workers without `nodejs_compat` have no `process` (their variables arrive as `env`).
 */
export function runtimeEnv(): Env {
  return nodeProcess()?.env ?? {};
}

/** True on Node itself: edge runtimes (workerd, Vercel's edge-runtime) log through `console`. */
export function writesToStderr(): boolean {
  const proc = nodeProcess();
  if (proc?.release?.name !== "node" || typeof proc.stderr?.write !== "function") return false;
  const g = globalThis as { EdgeRuntime?: unknown; navigator?: { userAgent?: string } };
  return g.EdgeRuntime === undefined && g.navigator?.userAgent !== "Cloudflare-Workers";
}
