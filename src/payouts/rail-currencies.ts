import type { PayoutRail } from "../../db/schema.ts";
import { ValidationError } from "../errors.ts";

/**
 * Currencies each rail pays in (ISO 4217, lower case). Stripe Connect transfers move the
 * platform's settlement currency; PayPal Payouts accepts these without conversion on our side.
 */
const RAIL_CURRENCIES: Record<PayoutRail, readonly string[]> = {
  stripe_connect: ["usd", "eur", "gbp", "cad", "aud"],
  paypal: ["usd", "eur", "gbp", "cad", "aud", "jpy"],
};

export const isPayoutRail = (value: string): value is PayoutRail => value in RAIL_CURRENCIES;

export const isCurrencyForRail = (rail: PayoutRail, currency: string): boolean =>
  RAIL_CURRENCIES[rail].includes(currency);

/** Refuses a currency the payee's rail cannot pay in. */
export function assertCurrencyForRail(rail: PayoutRail, currency: string): void {
  if (!isCurrencyForRail(rail, currency)) {
    throw new ValidationError(`${rail} cannot pay in ${currency.toUpperCase()}`, {
      context: { rail, currency },
    });
  }
}

/** `12.34` for 1234 cents; currencies without minor units (JPY) have no decimals. */
export function formatMinor(amountMinor: number, currency: string): string {
  if (currency === "jpy") return String(amountMinor);
  return `${Math.trunc(amountMinor / 100)}.${String(amountMinor % 100).padStart(2, "0")}`;
}
