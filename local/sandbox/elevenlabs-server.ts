import { presentedKey } from "./key-auth.ts";
import { type RecordedRequest, type SimResponse, type Simulator, startSimulator } from "./simulator.ts";

const unauthorized: SimResponse = {
  status: 401,
  body: { detail: { status: "invalid_api_key", message: "Invalid API key" } },
};

/**
 * ElevenLabs on loopback (`xi-api-key` header): `GET /v1/user` (the probe) and
 * `POST /v1/text-to-speech/{voice_id}`, which answers a short fake MP3 body.
 */
export async function startElevenLabsSimulator(validKeys = ["sk_sandbox_elevenlabs"]): Promise<Simulator> {
  const authed = (handler: (request: RecordedRequest) => SimResponse) => (request: RecordedRequest) =>
    validKeys.includes(presentedKey(request, { header: "xi-api-key" })) ? handler(request) : unauthorized;
  return startSimulator({
    "GET /v1/user": authed(() => ({
      body: {
        user_id: "user_sandbox",
        subscription: { tier: "creator", character_count: 0, character_limit: 100_000 },
      },
    })),
    "POST /v1/text-to-speech/*": authed((request) => {
      const { text } = JSON.parse(request.body || "{}") as { text?: string };
      if (!text) return { status: 422, body: { detail: [{ loc: ["body", "text"], msg: "field required" }] } };
      // "ID3" + padding: enough for a caller to store and hash as audio.
      return { headers: { "content-type": "audio/mpeg" }, body: `ID3${"\u0000".repeat(29)}${text.length}` };
    }),
  });
}
