/**
 * A Next.js (App Router) route serving Switchboard's webhook handlers and OAuth callback on
 * Vercel's edge runtime. Save it as `app/webhooks/[...path]/route.ts` (and, for the OAuth
 * callback, `app/oauth/callback/[provider]/route.ts`), importing the router from where this
 * repository is vendored. Set the variables in the Vercel project (README, "Webhook handlers");
 * on Vercel they are in `process.env`, so the router needs no `env` argument. `waitUntil` from
 * `@vercel/functions` lets a webhook door answer once the event is stored and trigger its
 * processing after the response (decision 031).
 */
import { waitUntil } from "@vercel/functions";
import { routeRequest } from "../../webhooks/router.ts";

export const runtime = "edge";
// Webhooks must never be cached or pre-rendered.
export const dynamic = "force-dynamic";

async function handle(request: Request): Promise<Response> {
  return (
    (await routeRequest(request, undefined, { waitUntil })) ?? new Response("Not found", { status: 404 })
  );
}

export const GET = handle;
export const POST = handle;
