import { describe, expect, it } from "vitest";
import { bearerKey } from "../../local/api/authorize.ts";
import { createSessionGuard, SESSION_COOKIE } from "../../local/dashboard/session-guard.ts";

const ORIGIN = "http://127.0.0.1:3000";

function post(headers: Record<string, string>): Request {
  return new Request(`${ORIGIN}/dashboard/tasks/x/test`, { method: "POST", headers });
}
const form = (csrf?: string) => {
  const data = new FormData();
  if (csrf) data.set("csrf", csrf);
  return data;
};

/** A guard, a session it started, and the headers a same-origin page of that session sends. */
function fresh() {
  const guard = createSessionGuard(bearerKey("tr_key"));
  const started = guard.session(new Request(`${ORIGIN}/dashboard`));
  const cookie = started.setCookie!.split(";")[0]!;
  const headers = { cookie, origin: ORIGIN, host: "127.0.0.1:3000", "sec-fetch-site": "same-origin" };
  return { guard, started, cookie, headers };
}

describe("dashboard sessions", () => {
  it("starts a session with an HttpOnly, SameSite=Strict cookie and keeps its token on later requests", () => {
    const { guard, started, cookie } = fresh();
    expect(started.setCookie).toMatch(
      new RegExp(`^${SESSION_COOKIE}=[\\w-]+\\.[\\w-]+; Path=/; HttpOnly; SameSite=Strict$`),
    );
    expect(guard.session(new Request(`${ORIGIN}/dashboard`, { headers: { cookie } }))).toEqual({
      csrf: started.csrf,
    });
    const among = guard.session(new Request(`${ORIGIN}/`, { headers: { cookie: `a=1; ${cookie}; b=2` } }));
    expect(among).toEqual({ csrf: started.csrf });
    const forged = guard.session(new Request(`${ORIGIN}/`, { headers: { cookie: `${cookie}x` } }));
    expect(forged.setCookie).toBeDefined();
    expect(forged.csrf).not.toBe(started.csrf);
  });

  it("allows a same-origin write carrying the session's token, in the form or a header", async () => {
    const { guard, started, headers } = fresh();
    expect(await guard.mayWrite(post(headers), form(started.csrf))).toBe(true);
    expect(await guard.mayWrite(post({ ...headers, "x-csrf-token": started.csrf }), undefined)).toBe(true);
    const { origin: _, ...noOrigin } = headers;
    expect(await guard.mayWrite(post(noOrigin), form(started.csrf))).toBe(true);
    const { "sec-fetch-site": __, ...noFetchSite } = headers;
    expect(await guard.mayWrite(post(noFetchSite), form(started.csrf))).toBe(true);
  });

  it("refuses a write with a missing or wrong token, another origin, or no session", async () => {
    const { guard, started, cookie, headers } = fresh();
    expect(await guard.mayWrite(post(headers), form())).toBe(false);
    expect(await guard.mayWrite(post(headers), form(`${started.csrf}x`))).toBe(false);
    expect(
      await guard.mayWrite(post({ ...headers, origin: "http://evil.example" }), form(started.csrf)),
    ).toBe(false);
    expect(await guard.mayWrite(post({ ...headers, origin: "not a url" }), form(started.csrf))).toBe(false);
    expect(
      await guard.mayWrite(post({ ...headers, "sec-fetch-site": "same-site" }), form(started.csrf)),
    ).toBe(false);
    const { origin: _, "sec-fetch-site": __, ...neither } = headers;
    expect(await guard.mayWrite(post(neither), form(started.csrf))).toBe(false);
    const { cookie: ___, ...noCookie } = headers;
    expect(await guard.mayWrite(post(noCookie), form(started.csrf))).toBe(false);
    const [id] = cookie.split(".");
    expect(await guard.mayWrite(post({ ...headers, cookie: `${id}.forged` }), form(started.csrf))).toBe(
      false,
    );
    expect(await guard.mayWrite(post({ ...headers, cookie: `${id}` }), form(started.csrf))).toBe(false);
  });

  it("never accepts a session or token of another runtime start", async () => {
    const { started, headers } = fresh();
    const other = createSessionGuard(bearerKey("tr_key"));
    expect(await other.mayWrite(post(headers), form(started.csrf))).toBe(false);
  });

  it("accepts the runtime's bearer key without a session", async () => {
    const { guard } = fresh();
    expect(await guard.mayWrite(post({ authorization: "Bearer tr_key" }), undefined)).toBe(true);
    expect(await guard.mayWrite(post({ authorization: "Bearer nope" }), undefined)).toBe(false);
  });
});
