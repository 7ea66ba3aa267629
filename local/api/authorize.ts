import { timingSafeEqual } from "../../src/crypto/hmac.ts";

/**
 * Decides whether a request may use the runtime's API (trigger, runs, batches, schedules). The
 * seam for other credentials: a dashboard session adds its own authorizer through `anyOf`.
 */
export type Authorizer = (request: Request) => boolean | Promise<boolean>;

/** The SDK's way: `Authorization: Bearer <TRIGGER_SECRET_KEY>`, compared in constant time. */
export function bearerKey(secretKey: string): Authorizer {
  return (request) => {
    const bearer = request.headers.get("authorization")?.match(/^Bearer\s+(.+)$/i)?.[1] ?? "";
    return timingSafeEqual(bearer, secretKey);
  };
}

/** Allows a request any of the authorizers allows. */
export function anyOf(...authorizers: Authorizer[]): Authorizer {
  return async (request) => {
    for (const authorize of authorizers) if (await authorize(request)) return true;
    return false;
  };
}
