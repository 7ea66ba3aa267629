const digitsCache = new Map<string, number>();

/** Fraction digits of an ISO currency (JPY 0, USD 2, KWD 3), from the platform's Intl data. */
function fractionDigits(currency: string): number {
  let digits = digitsCache.get(currency);
  if (digits === undefined) {
    digits =
      new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ??
      2;
    digitsCache.set(currency, digits);
  }
  return digits;
}

/**
 * A decimal amount as the provider sends it ("59.90", 59.9, "1200") → integer minor units of
 * `currency`, computed on the decimal string (no float rounding). Undefined when either is
 * missing or not a number.
 */
export function toMinorUnits(
  amount: string | number | null | undefined,
  currency: string | null | undefined,
) {
  if (amount === null || amount === undefined || !currency) return undefined;
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(String(amount).trim());
  if (!match) return undefined;
  let digits: number;
  try {
    digits = fractionDigits(currency.toUpperCase());
  } catch {
    return undefined; // not an ISO 4217 code: keep the raw value only
  }
  const [, sign, whole, fraction = ""] = match;
  const padded = fraction.padEnd(digits, "0");
  const kept = padded.slice(0, digits);
  const roundUp = padded.length > digits && Number(padded[digits]) >= 5;
  const minor = Number(`${whole}${kept}`) + (roundUp ? 1 : 0);
  return sign === "-" ? -minor : minor;
}
