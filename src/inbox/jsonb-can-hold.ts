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

function depthOf(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{" || c === "[") max = Math.max(max, ++depth);
    else if (c === "}" || c === "]") depth--;
  }
  return max;
}

/**
 * Whether PostgreSQL's jsonb can store this (valid) JSON text as it is: no `\u0000`, no lone
 * surrogate escapes, bounded nesting. When it cannot, the inbox keeps the exact bytes instead.
 */
export function jsonbCanHold(text: string): boolean {
  return !NUL_ESCAPE.test(text) && !hasLoneSurrogate(text) && depthOf(text) <= MAX_JSONB_DEPTH;
}
