/**
 * The one error type of Switchboard. `retryable` drives the task retry policy (see
 * `src/retry-decision.ts`), `code` maps to an HTTP status for handlers (see `httpStatusFor`).
 */
export interface AppErrorOptions {
  retryable?: boolean;
  retryAfterMs?: number;
  reauthRequired?: boolean;
  context?: Record<string, unknown>;
  cause?: unknown;
}

export class AppError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly reauthRequired: boolean;
  readonly context: Record<string, unknown>;

  constructor(code: string, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.retryAfterMs = options.retryAfterMs;
    this.reauthRequired = options.reauthRequired ?? false;
    this.context = options.context ?? {};
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, retryable: this.retryable };
  }
}

/** The configuration is missing or invalid: never retried, fix the environment. */
export class ConfigError extends AppError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super("config_invalid", message, { ...options, retryable: false });
  }
}

/** Input from a caller (payload, CLI argument, request body) is invalid. */
export class ValidationError extends AppError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super("validation_failed", message, { ...options, retryable: false });
  }
}

export class NotFoundError extends AppError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super("not_found", message, { ...options, retryable: false });
  }
}

export class ConflictError extends AppError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super("conflict", message, { ...options, retryable: false });
  }
}

/** A dependency (database, queue) is unavailable for now: retry later. */
export class UnavailableError extends AppError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super("unavailable", message, { retryable: true, ...options });
  }
}

/** A provider call failed; `classify<Provider>Error` decides retryability. */
export class ProviderError extends AppError {
  readonly provider: string;
  constructor(provider: string, code: string, message: string, options: AppErrorOptions = {}) {
    super(code, message, { ...options, context: { provider, ...options.context } });
    this.provider = provider;
  }
}

/** Decryption failed: wrong key, wrong associated data, or tampered ciphertext. */
export class CryptoError extends AppError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super("crypto_failed", message, { ...options, retryable: false });
  }
}

const STATUS_BY_CODE: Record<string, number> = {
  validation_failed: 400,
  invalid_signature: 401,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  config_invalid: 500,
  crypto_failed: 500,
  unavailable: 503,
};

/** The one table mapping error codes to HTTP statuses for handlers and the local runtime. */
export function httpStatusFor(err: unknown): number {
  if (err instanceof AppError) return STATUS_BY_CODE[err.code] ?? (err.retryable ? 503 : 500);
  return 500;
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}

/** A short, secret-free description of any thrown value, for logs and run records. */
export function describeError(err: unknown): { name: string; message: string; code?: string } {
  if (err instanceof AppError) return { name: err.name, message: err.message, code: err.code };
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { name: "Error", message: String(err) };
}
