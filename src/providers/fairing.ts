import type { z } from "zod";
import { ProviderError } from "../errors.ts";
import {
  type FairingQuestion,
  type FairingResponse,
  fairingQuestionPageSchema,
  fairingResponsePageSchema,
  fairingWire,
} from "./fairing-wire.ts";
import type { ProviderHttpClient } from "./provider-http-client.ts";
import { createRequestWindow } from "./request-window.ts";

const PROVIDER = "fairing";

export interface FairingClientOptions {
  /** `FAIRING_API_URL` or the catalog's base (`https://app.fairing.co/api`). */
  baseUrl: string;
  /** The shared provider HTTP client (timeout, one timing log line, error classification). */
  http: ProviderHttpClient;
  timeoutMs?: number;
  /** Client-side pacing below the store's limit; 0 turns it off (benchmarks, simulators). */
  requestsPerMinute?: number;
  /** A 429 asking to wait at most this long is waited out in-process; longer → retryable error. */
  maxRateLimitWaitMs?: number;
  maxRateLimitRetries?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface FairingClient {
  /** The first page's URL of responses edited (or created) at or after `updatedAtMin`. */
  responsesUrl(query: { updatedAtMin?: Date | null }): string;
  /** One page of responses; `next` is the following page's URL (resolved, same origin) or null. */
  responsePage(url: string): Promise<{ data: FairingResponse[]; next: string | null }>;
  questions(): Promise<FairingQuestion[]>;
}

/**
 * A Fairing REST client over `fetch` (there is no official SDK). Every page is validated with
 * zod; `next` links are followed verbatim but only on the configured origin, so the key is never
 * sent elsewhere. Calls go through the shared provider HTTP client (timeout, timing log, error
 * classification). Rate limits: requests are paced under the store's budget, and a 429 is waited
 * out as told by Retry-After (or with jittered exponential backoff) up to a bound, then surfaced
 * as a retryable error carrying the delay, so the task retries later and resumes from its cursor.
 */
export function createFairingClient(apiKey: string, options: FairingClientOptions): FairingClient {
  const base = options.baseUrl.replace(/\/+$/, "");
  const origin = new URL(base).origin;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = options.random ?? Math.random;
  const window = createRequestWindow(
    options.requestsPerMinute ?? fairingWire.requestsPerMinute,
    60_000,
    sleep,
  );
  const maxWait = options.maxRateLimitWaitMs ?? 60_000;
  const maxRetries = options.maxRateLimitRetries ?? 5;

  const sameOrigin = (url: string): string => {
    const resolved = new URL(url, `${base}/`);
    if (resolved.origin !== origin) {
      throw new ProviderError(PROVIDER, "provider_rejected", "Fairing sent a page link to another host", {
        retryable: false,
        context: { host: resolved.host },
      });
    }
    return resolved.toString();
  };

  const once = async <S extends z.ZodType>(
    url: string,
    operation: string,
    schema: S,
  ): Promise<z.infer<S>> => {
    // Non-2xx answers are classified by the shared client: 401 → unauthorized (reconnect),
    // 429 → rate_limited with Retry-After, 5xx → retryable.
    const response = await options.http.request({
      provider: PROVIDER,
      operation,
      url,
      headers: { accept: "application/json", [fairingWire.authHeader]: fairingWire.authValue(apiKey) },
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    });
    const parsed = schema.safeParse(response.json);
    if (!parsed.success) {
      const where = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join(".")}: ${i.message}`);
      throw new ProviderError(PROVIDER, "invalid_response", `Unexpected Fairing page (${where.join("; ")})`, {
        retryable: false,
        context: { status: response.status },
      });
    }
    return parsed.data;
  };

  async function get<S extends z.ZodType>(url: string, operation: string, schema: S): Promise<z.infer<S>> {
    for (let attempt = 0; ; attempt++) {
      await window.take();
      try {
        return await once(url, operation, schema);
      } catch (err) {
        if (!(err instanceof ProviderError) || err.code !== "rate_limited" || attempt >= maxRetries)
          throw err;
        const backoff = Math.min(30_000, 1_000 * 2 ** attempt) * (0.5 + random() / 2);
        const wait = err.retryAfterMs ?? backoff;
        if (wait > maxWait) throw err;
        await sleep(wait);
      }
    }
  }

  return {
    responsesUrl({ updatedAtMin }) {
      const url = new URL(`${base}${fairingWire.responsesPath}`);
      url.searchParams.set(fairingWire.params.limit, String(fairingWire.pageLimit));
      if (updatedAtMin) url.searchParams.set(fairingWire.params.updatedAtMin, updatedAtMin.toISOString());
      return url.toString();
    },
    async responsePage(url) {
      const page = await get(sameOrigin(url), "list_responses", fairingResponsePageSchema);
      return { ...page, next: page.next ? sameOrigin(page.next) : null };
    },
    async questions() {
      const all: FairingQuestion[] = [];
      let url: string | null = `${base}${fairingWire.questionsPath}`;
      while (url) {
        const page: z.infer<typeof fairingQuestionPageSchema> = await get(
          sameOrigin(url),
          "list_questions",
          fairingQuestionPageSchema,
        );
        all.push(...page.data);
        url = page.next ?? null;
      }
      return all;
    },
  };
}
