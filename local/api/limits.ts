/**
 * Trigger.dev's documented limits the local runtime enforces, so what works locally is not refused
 * deployed (trigger.dev/docs/limits and the batch-trigger v2 changelog, SDK 4.3.1+).
 */
export const LIMITS = {
  /** One `tasks.trigger` payload. */
  triggerPayloadBytes: 3 * 1024 * 1024,
  /** Each item of a batch trigger. */
  batchItemPayloadBytes: 3 * 1024 * 1024,
  batchItems: 1_000,
  /** Run metadata (trigger option and `metadata.*` inside a run). */
  metadataBytes: 256 * 1024,
  tags: 10,
  tagLength: 128,
  /**
   * The SDK offloads packets from this size to object storage; the local runtime has none, so
   * it refuses such payloads with a clear 413 instead of a 404 from the upload endpoint.
   */
  offloadBytes: 512 * 1024,
} as const;

/** Envelope allowance on top of a payload cap (options, JSON framing). */
export const ENVELOPE_BYTES = 64 * 1024;
