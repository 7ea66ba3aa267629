import { AppError, httpStatusFor } from "../src/errors.ts";
import { knownErrorSentence } from "../src/format-error.ts";
import { jsonResponse } from "../src/ingress/json-response.ts";

const UNKNOWN = "Internal error; the runtime's log has the details";

/**
 * An error as the local runtime's HTTP answer, worded by the one error formatter the CLI uses: a
 * sentence naming what is wrong and what to do. An error it does not recognise answers a generic
 * sentence, since its message may carry SQL or a payload; the log line keeps the detail.
 */
export function errorAnswer(err: unknown): Response {
  const status = httpStatusFor(err);
  return jsonResponse(status, {
    error: knownErrorSentence(err) ?? UNKNOWN,
    ...(err instanceof AppError ? { code: err.code } : {}),
  });
}
