// Contacts queued offline are sealed at rest: IndexedDB holds only ciphertext, so a seized
// phone's storage alone does not reveal a victim's name, phone, address or notes.
//
// Design (issue #16, finding 11):
// - Each user has a *device key*: 32 random bytes the server hands to web sessions with every
//   sign-in and refresh (`device_key` in the token answer). The app keeps it in this module's
//   memory only, as a non-extractable HKDF key; it is never written to storage.
// - Per user, the browser keeps a *vault* in IndexedDB: an ECDH P-256 key pair whose public
//   half is stored as is and whose private half is stored wrapped (AES-256-GCM) under a key
//   derived with HKDF-SHA-256 from the device key and a random salt.
// - Each queued contact is sealed to the vault's public key: a fresh ephemeral ECDH key pair,
//   HKDF over the shared secret, AES-256-GCM with a random IV and the queued item's ids as
//   associated data. Stored: the ephemeral public key, the IV and the ciphertext.
// Sealing needs only the public key, so an advocate who reopens the app offline (within the
//   idle limit, the device key no longer in memory) can still queue contacts. Opening needs
//   the device key, which the app gets again from the server at the next refresh or sign-in,
//   also after an idle sign-out: the queue survives it and is sent after signing in again.
//   The unwrapped private key is non-extractable and lives only in memory.
//
// Limits: while the session is still alive on the server (15 minutes after its last use, or
// until it is revoked) whoever holds the phone's storage holds the stored refresh token and can
// ask the server for the device key; after that, the storage alone opens nothing. Code running
// in the page (an XSS, a malicious extension) sees what the page sees. A user's device key is
// the same on all their browsers; it is not rotated.

const enc = new TextEncoder();
const dec = new TextDecoder();
const subtle = () => crypto.subtle;

let deviceKey: CryptoKey | null = null;

/** The device key from a token answer: kept in memory only. */
export async function setDeviceKey(b64url: string | undefined | null) {
  if (!b64url) return;
  const raw = Uint8Array.from(atob(b64url.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
  deviceKey = await subtle().importKey("raw", raw, "HKDF", false, ["deriveKey"]);
}

export function forgetDeviceKey() {
  deviceKey = null;
}

export const hasDeviceKey = () => deviceKey !== null;

/** What IndexedDB keeps per user. */
export interface Vault {
  pub: JsonWebKey;
  salt: Uint8Array<ArrayBuffer>;
  iv: Uint8Array<ArrayBuffer>;
  /** The private key, PKCS #8, AES-GCM under HKDF(device key, salt). */
  wrapped: ArrayBuffer;
}

/** A sealed queued item. */
export interface Sealed {
  epk: JsonWebKey;
  iv: Uint8Array<ArrayBuffer>;
  ct: ArrayBuffer;
}

const ECDH = { name: "ECDH", namedCurve: "P-256" } as const;

function wrappingKey(salt: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  if (!deviceKey) throw new NoKey();
  return subtle().deriveKey(
    { name: "HKDF", hash: "SHA-256", salt, info: enc.encode("fieldline outbox vault v1") },
    deviceKey,
    { name: "AES-GCM", length: 256 },
    false,
    ["wrapKey", "unwrapKey"],
  );
}

/** The device key is not in memory (not refreshed since the page opened). */
export class NoKey extends Error {}

/** A new vault; needs the device key. */
export async function newVault(): Promise<Vault> {
  const pair = (await subtle().generateKey(ECDH, true, ["deriveBits"])) as CryptoKeyPair;
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const wrapped = await subtle().wrapKey("pkcs8", pair.privateKey, await wrappingKey(salt), { name: "AES-GCM", iv });
  return { pub: await subtle().exportKey("jwk", pair.publicKey), salt, iv, wrapped };
}

/** The vault's private key, non-extractable; throws if the device key is missing or wrong. */
export async function unlock(v: Vault): Promise<CryptoKey> {
  return subtle().unwrapKey("pkcs8", v.wrapped, await wrappingKey(v.salt), { name: "AES-GCM", iv: v.iv }, ECDH, false, [
    "deriveBits",
  ]);
}

async function itemKey(secret: ArrayBuffer, usage: KeyUsage): Promise<CryptoKey> {
  const base = await subtle().importKey("raw", secret, "HKDF", false, ["deriveKey"]);
  return subtle().deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: enc.encode("fieldline outbox item v1") },
    base,
    { name: "AES-GCM", length: 256 },
    false,
    [usage],
  );
}

/** Seals `value` to the vault's public key; `aad` binds it to its queued item. */
export async function seal(v: Vault, value: unknown, aad: string): Promise<Sealed> {
  const pub = await subtle().importKey("jwk", v.pub, ECDH, false, []);
  const eph = (await subtle().generateKey(ECDH, false, ["deriveBits"])) as CryptoKeyPair;
  const secret = await subtle().deriveBits({ name: "ECDH", public: pub }, eph.privateKey, 256);
  const key = await itemKey(secret, "encrypt");
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await subtle().encrypt(
    { name: "AES-GCM", iv, additionalData: enc.encode(aad) },
    key,
    enc.encode(JSON.stringify(value)),
  );
  return { epk: await subtle().exportKey("jwk", eph.publicKey), iv, ct };
}

/** Opens a sealed item with the vault's unlocked private key. */
export async function open(priv: CryptoKey, s: Sealed, aad: string): Promise<unknown> {
  const epk = await subtle().importKey("jwk", s.epk, ECDH, false, []);
  const secret = await subtle().deriveBits({ name: "ECDH", public: epk }, priv, 256);
  const key = await itemKey(secret, "decrypt");
  const plain = await subtle().decrypt({ name: "AES-GCM", iv: s.iv, additionalData: enc.encode(aad) }, key, s.ct);
  return JSON.parse(dec.decode(plain));
}
