/**
 * The steps of a payout where a process can die. Executors call the optional `failpoint` at each
 * one; crash-injection tests throw there to prove that a re-run pays each payee exactly once.
 */
export type PayoutStep = "after_claim" | "after_provider_accepted" | "after_recording";

export interface PayoutRunOptions {
  failpoint?: ((step: PayoutStep) => void | Promise<void>) | undefined;
}
