import { createHmac, randomBytes } from "node:crypto";
import { timingSafeEqual } from "../../src/crypto/hmac.ts";
import type { Authorizer } from "../api/authorize.ts";

export const SESSION_COOKIE = "sb_dashboard";

export interface Session {
  /** The CSRF token forms of this session carry in their `csrf` field. */
  csrf: string;
  /** A Set-Cookie header value when the session is new. */
  setCookie?: string;
}

export interface SessionGuard {
  /** The request's session, or a new one (with its cookie) for a browser that has none. */
  session(request: Request): Session;
  /** Whether a write (POST) may proceed: the runtime's key, or a same-origin session with its token. */
  mayWrite(request: Request, form: FormData | undefined): Promise<boolean>;
}

const b64 = (bytes: Buffer) => bytes.toString("base64url");

function cookieValue(request: Request, name: string): string | undefined {
  for (const part of (request.headers.get("cookie") ?? "").split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return rest.join("=");
  }
  return undefined;
}

/** Browsers say where a request comes from; a write must come from a page of this origin. */
function sameOrigin(request: Request): boolean {
  const site = request.headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin") return false;
  const origin = request.headers.get("origin");
  const host = request.headers.get("host");
  if (origin === null) return site === "same-origin";
  try {
    return host !== null && new URL(origin).host === host;
  } catch {
    return false;
  }
}

/**
 * Dashboard sessions: a signed random id in an HttpOnly, SameSite=Strict cookie, and a CSRF token
 * derived from it (HMAC under a secret drawn at each start, so a restart ends every session).
 * Writes also need the browser to say the request is same-origin, or the runtime's bearer key.
 */
export function createSessionGuard(bearer: Authorizer): SessionGuard {
  const secret = randomBytes(32);
  const sign = (purpose: string, id: string) =>
    b64(createHmac("sha256", secret).update(`${purpose}:${id}`).digest());
  const verified = (request: Request): string | undefined => {
    const [id, mac] = (cookieValue(request, SESSION_COOKIE) ?? "").split(".");
    return id && mac && timingSafeEqual(mac, sign("session", id)) ? id : undefined;
  };
  return {
    session(request) {
      const existing = verified(request);
      if (existing) return { csrf: sign("csrf", existing) };
      const id = b64(randomBytes(18));
      return {
        csrf: sign("csrf", id),
        setCookie: `${SESSION_COOKIE}=${id}.${sign("session", id)}; Path=/; HttpOnly; SameSite=Strict`,
      };
    },
    async mayWrite(request, form) {
      if (await bearer(request)) return true;
      const id = verified(request);
      const token = form?.get("csrf") ?? request.headers.get("x-csrf-token");
      return Boolean(
        id && typeof token === "string" && timingSafeEqual(token, sign("csrf", id)) && sameOrigin(request),
      );
    },
  };
}
