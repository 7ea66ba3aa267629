import { describe, expect, it } from "vitest";
import { bearerKey } from "../api/authorize.ts";
import { createSessionGuard, SESSION_COOKIE } from "./session-guard.ts";

const ORIGIN = "http://127.0.0.1:3000";
const guard = createSessionGuard(bearerKey("tr_key"));

function post(headers: Record<string, string>): Request {
  return new Request(`${ORIGIN}/dashboard/tasks/x/test`, { method: "POST", headers });
}
const form = (csrf?: string) => {
  const data = new FormData();
  if (csrf) data.set("csrf", csrf);
  return data;
};

describe("dashboard sessions", () => {
  const started = guard.session(new Request(`${ORIGIN}/dashboard`));
  const cookie = started.setCookie!.split(";")[0]!;
  const sameOrigin = { cookie, origin: ORIGIN, host: "127.0.0.1:3000", "sec-fetch-site": "same-origin" };

  it("starts a session with an HttpOnly, SameSite=Strict cookie and keeps its token on later requests", () => {
    expect(started.setCookie).toMatch(
      new RegExp(`^${SESSION_COOKIE}=[\\w-]+\\.[\\w-]+; Path=/; HttpOnly; SameSite=Strict$`),
    );
    const again = guard.session(new Request(`${ORIGIN}/dashboard`, { headers: { cookie } }));
    expect(again).toEqual({ csrf: started.csrf });
  });

  it("allows a same-origin write carrying the session's token, and nothing less", async () => {
    expect(await guard.mayWrite(post(sameOrigin), form(started.csrf))).toBe(true);
    expect(await guard.mayWrite(post(sameOrigin), form())).toBe(false);
    expect(await guard.mayWrite(post(sameOrigin), form(`${started.csrf}x`))).toBe(false);
    expect(
      await guard.mayWrite(post({ ...sameOrigin, origin: "http://evil.example" }), form(started.csrf)),
    ).toBe(false);
    expect(
      await guard.mayWrite(post({ ...sameOrigin, "sec-fetch-site": "same-site" }), form(started.csrf)),
    ).toBe(false);
    const { cookie: _, ...noCookie } = sameOrigin;
    expect(await guard.mayWrite(post(noCookie), form(started.csrf))).toBe(false);
    const [id] = cookie.split(".");
    expect(await guard.mayWrite(post({ ...sameOrigin, cookie: `${id}.forged` }), form(started.csrf))).toBe(
      false,
    );
  });

  it("never accepts a session or token of another runtime start", async () => {
    const other = createSessionGuard(bearerKey("tr_key"));
    expect(await other.mayWrite(post(sameOrigin), form(started.csrf))).toBe(false);
  });

  it("accepts the runtime's bearer key without a session", async () => {
    expect(await guard.mayWrite(post({ authorization: "Bearer tr_key" }), undefined)).toBe(true);
    expect(await guard.mayWrite(post({ authorization: "Bearer nope" }), undefined)).toBe(false);
  });
});
