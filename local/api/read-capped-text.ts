import { readCappedBody } from "../../src/ingress/read-capped-body.ts";

/** A request body as UTF-8 text, refused (413) beyond `limit` bytes without reading the rest. */
export async function readCappedText(request: Request, limit: number): Promise<string> {
  return new TextDecoder().decode(await readCappedBody(request, limit));
}
