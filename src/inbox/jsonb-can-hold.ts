/** Deeper JSON than this is kept as raw bytes (PostgreSQL's parser recurses per level). */
export const MAX_JSONB_DEPTH = 512;

const NUL_ESCAPE = /\\u0000/i;
const HIGH = /^[dD][89abAB][0-9a-fA-F]{2}$/;
const LOW = /^[dD][c-fC-F][0-9a-fA-F]{2}$/;

/** Whether any `\u` escape names a surrogate without its pair (jsonb refuses those). */
function hasLoneSurrogate(text: string): boolean {
  const escapes = /\\u([0-9a-fA-F]{4})/g;
  let pendingHigh = -1;
  for (let m = escapes.exec(text); m; m = escapes.exec(text)) {
    const hex = m[1]!;
    const adjacent = pendingHigh >= 0 && m.index === pendingHigh;
    if (pendingHigh >= 0 && !(adjacent && LOW.test(hex))) return true;
    if (pendingHigh < 0 && LOW.test(hex)) return true;
    pendingHigh = !adjacent && HIGH.test(hex) ? m.index + 6 : -1;
  }
  return pendingHigh >= 0;
}

/** Numbers longer than this, or with a larger exponent, may overflow jsonb's numeric type. */
const MAX_NUMBER_CHARS = 1_000;
const NUMBER_CHAR = /[0-9eE+.-]/;

function numericCanHold(token: string): boolean {
  const exponent = /[eE]([+-]?\d+)$/.exec(token)?.[1];
  return token.length <= MAX_NUMBER_CHARS && Math.abs(Number(exponent ?? 0)) <= MAX_NUMBER_CHARS;
}

/** The nesting depth, and whether every number outside strings fits PostgreSQL's numeric. */
function scan(text: string): { depth: number; numbersFit: boolean } {
  let depth = 0;
  let max = 0;
  let numbersFit = true;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{" || c === "[") max = Math.max(max, ++depth);
    else if (c === "}" || c === "]") depth--;
    else if (c === "-" || (c >= "0" && c <= "9")) {
      const start = i;
      while (i + 1 < text.length && NUMBER_CHAR.test(text[i + 1]!)) i++;
      if (!numericCanHold(text.slice(start, i + 1))) numbersFit = false;
    }
  }
  return { depth: max, numbersFit };
}

/**
 * Whether PostgreSQL's jsonb can store this (valid) JSON text as it is: no `\u0000`, no lone
 * surrogate escapes, bounded nesting, numbers within numeric's range. When it cannot, the inbox
 * keeps the exact bytes instead.
 */
export function jsonbCanHold(text: string): boolean {
  if (NUL_ESCAPE.test(text) || hasLoneSurrogate(text)) return false;
  const { depth, numbersFit } = scan(text);
  return depth <= MAX_JSONB_DEPTH && numbersFit;
}
