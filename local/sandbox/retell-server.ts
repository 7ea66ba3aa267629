import { presentedKey } from "./key-auth.ts";
import { type RecordedRequest, type SimResponse, type Simulator, startSimulator } from "./simulator.ts";

const unauthorized: SimResponse = { status: 401, body: { status: 401, message: "Invalid API key" } };

/** A finished call as `GET /v2/get-call/{call_id}` returns it (phone call, analysed). */
export function sandboxCall(callId: string): Record<string, unknown> {
  const end = Date.now();
  return {
    call_id: callId,
    call_type: "phone_call",
    agent_id: "agent_sandbox",
    call_status: "ended",
    from_number: "+15550000001",
    to_number: "+15550000002",
    start_timestamp: end - 95_000,
    end_timestamp: end,
    duration_ms: 95_000,
    transcript: "Agent: Hello!\nUser: Hi, I have a question about my order.",
    recording_url: null,
    disconnection_reason: "user_hangup",
    metadata: {},
    call_analysis: {
      call_summary: "The customer asked about an order.",
      user_sentiment: "Neutral",
      call_successful: true,
      in_voicemail: false,
      custom_analysis_data: {},
    },
  };
}

/**
 * Retell on loopback (Bearer key): `GET /list-agents` (the probe) and `GET /v2/get-call/{id}`.
 * A base for the calls capability to extend.
 */
export async function startRetellSimulator(validKeys = ["key_sandbox_retell"]): Promise<Simulator> {
  const authed = (handler: (request: RecordedRequest) => SimResponse) => (request: RecordedRequest) =>
    validKeys.includes(presentedKey(request, "bearer")) ? handler(request) : unauthorized;
  return startSimulator({
    "GET /list-agents": authed(() => ({
      body: [{ agent_id: "agent_sandbox", agent_name: "Sandbox agent", voice_id: "11labs-sandbox" }],
    })),
    "GET /v2/get-call/*": authed((request) => ({ body: sandboxCall(request.path.split("/").pop() ?? "") })),
  });
}
