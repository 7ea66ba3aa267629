import { createCipheriv, createDecipheriv, KeyObject, randomFillSync } from "node:crypto";
import { CryptoError } from "../errors.ts";
import { associatedData, type CredentialBinding, keyVersionOf } from "./envelope.ts";
import type { KeyRing } from "./key-ring.ts";

export interface NodeEnvelope {
  encryptSecret(plaintext: string, binding: CredentialBinding): string;
  decryptSecret(ciphertext: string, binding: CredentialBinding): string;
}

const TAG_BYTES = 16;
const IV_BYTES = 12;
/** IVs are cut from one random fill of this many (each used once). */
const IV_POOL = 256;

const envelopes = new WeakMap<KeyRing, NodeEnvelope>();
const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * Node only, for the refresh sweep's hot path: the same envelope as `envelope.ts` (AES-256-GCM,
 * random 96-bit IV, associated data `tenantId:provider:field`, `sb1.<version>.<iv>.<sealed+tag>`),
 * through `node:crypto`'s synchronous cipher instead of Web Crypto. Each Web Crypto call is a
 * thread-pool job and a few promises: about 4× the CPU of a synchronous call for a token-sized
 * secret (measured in decision 020). The two are interchangeable: either opens what the other
 * sealed. Code that webhooks reach keeps `envelope.ts` (edge runtimes have no `node:crypto`).
 */
export function nodeEnvelope(ring: KeyRing): NodeEnvelope {
  const cached = envelopes.get(ring);
  if (cached) return cached;
  const keys = new Map(ring.versions.map((v) => [v, KeyObject.from(ring.get(v)!.key)]));
  const current = ring.current.version;
  const ivs = Buffer.alloc(IV_BYTES * IV_POOL);
  let nextIv = IV_POOL;
  const freshIv = () => {
    if (nextIv === IV_POOL) {
      randomFillSync(ivs);
      nextIv = 0;
    }
    // A copy: the pool is refilled in place.
    return Buffer.from(ivs.subarray(IV_BYTES * nextIv, IV_BYTES * ++nextIv));
  };
  const envelope: NodeEnvelope = {
    encryptSecret(plaintext, binding) {
      const iv = freshIv();
      const cipher = createCipheriv("aes-256-gcm", keys.get(current)!, iv);
      cipher.setAAD(Buffer.from(associatedData(binding)));
      const sealed = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
      return `sb1.${current}.${iv.toString("base64url")}.${sealed.toString("base64url")}`;
    },
    decryptSecret(ciphertext, binding) {
      const version = keyVersionOf(ciphertext);
      const key = keys.get(version);
      if (!key) {
        throw new CryptoError(`No key for version "${version}" in ENCRYPTION_KEYS`, { context: { version } });
      }
      const [, , ivText, sealedText] = ciphertext.split(".");
      try {
        const iv = Buffer.from(ivText!, "base64url");
        const sealed = Buffer.from(sealedText!, "base64url");
        if (iv.length !== IV_BYTES || sealed.length < TAG_BYTES) throw new Error("malformed");
        const decipher = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
        decipher.setAAD(Buffer.from(associatedData(binding)));
        decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
        const plain = Buffer.concat([
          decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)),
          decipher.final(),
        ]);
        return decoder.decode(plain);
      } catch {
        throw new CryptoError("Credential failed to decrypt (wrong key, wrong row or tampered)", {
          context: { version, provider: binding.provider, field: binding.field },
        });
      }
    },
  };
  envelopes.set(ring, envelope);
  return envelope;
}
