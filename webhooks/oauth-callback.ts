import { completeOAuth } from "../src/connections/complete-oauth.ts";
import { AppError, ValidationError } from "../src/errors.ts";
import { getIngressDeps, oauthSettingsFromEnv } from "../src/ingress/ingress-deps.ts";
import { errorResponse, jsonResponse } from "../src/ingress/json-response.ts";
import { logger } from "../src/observability/logger.ts";

/**
 * `GET /oauth/callback/{provider}?code&state`: verifies the signed, single-use state, exchanges
 * the code, stores the encrypted tokens and redirects to the app's return URL. A forged,
 * expired or reused state is a clear 400 and stores nothing.
 */
export async function handleOAuthCallback(
  request: Request,
  params: Record<string, string>,
  env?: Record<string, string | undefined>,
): Promise<Response> {
  if (request.method !== "GET") return jsonResponse(405, { error: "Method not allowed" }, { allow: "GET" });
  const query = new URL(request.url).searchParams;
  const provider = params.provider ?? "";
  try {
    const deps = await getIngressDeps(env);
    const result = await completeOAuth(deps, deps.oauth ?? oauthSettingsFromEnv(deps.env), {
      provider,
      code: query.get("code"),
      state: query.get("state"),
      error: query.get("error"),
    });
    const target = new URL(result.returnUrl);
    target.searchParams.set("connected", provider);
    target.searchParams.set("connectionId", result.connectionId);
    return new Response(null, { status: 302, headers: { location: target.toString() } });
  } catch (err) {
    if (err instanceof AppError && err.code === "authorization_denied") {
      const target = new URL(String(err.context.returnUrl));
      target.searchParams.set("error", String(err.context.reason).slice(0, 100));
      target.searchParams.set("provider", provider);
      return new Response(null, { status: 302, headers: { location: target.toString() } });
    }
    const level = err instanceof ValidationError ? "warn" : "error";
    logger[level]("OAuth callback failed", { provider, err });
    if (err instanceof AppError && err.code !== "validation_failed" && err.context.provider) {
      return jsonResponse(502, {
        error: `${provider} did not complete the connection: ${err.message}`,
        code: err.code,
      });
    }
    return errorResponse(err);
  }
}
