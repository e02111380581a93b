/**
 * P-256 keys in PEM (node:crypto does the ASN.1) and the trust directory of issuer and fund
 * keys: a folder of `KEYID.pub.pem` files where the file name is the key identifier.
 */
import { createPrivateKey, createPublicKey, verify, type JsonWebKey, type KeyObject } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ChifaError } from '../core/errors.ts';
import { KEY_ID_PATTERN, type TrustStore } from '../core/card/model.ts';

/** The public test key of card-profile.md §6: trusting it is fine for the demo, never for real use. */
export const TEST_KEY_ID = 'CNAS-TEST-2026';
/** Its public point, so the test key is recognised under another file name too. */
const TEST_PUBLIC_KEY_HEX =
  '041f6fb64388375ae414c896cc2b517d126caece286b0c522e5c1eddbcfeeb8cd354cce38e94356' +
  '4e1755f64bbf5e290a7332238fbf7a5630a07a1c47dda6061ae';

const SUFFIX = '.pub.pem';

function fromBase64Url(text: string | undefined, what: string): Uint8Array {
  if (typeof text !== 'string') throw new ChifaError('invalid-input', `PEM key: no ${what}`);
  return new Uint8Array(Buffer.from(text, 'base64url'));
}

function p256Jwk(key: KeyObject): JsonWebKey {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256') {
    throw new ChifaError('invalid-input', `PEM key: not a P-256 key (${jwk.kty ?? '?'} ${jwk.crv ?? ''})`.trim());
  }
  return jwk;
}

function leftPad(bytes: Uint8Array, size: number): Uint8Array {
  if (bytes.length === size) return bytes;
  if (bytes.length > size) throw new ChifaError('invalid-input', 'PEM key: coordinate too long');
  const out = new Uint8Array(size);
  out.set(bytes, size - bytes.length);
  return out;
}

function parse<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ChifaError) throw e;
    throw new ChifaError('invalid-input', `${what}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** The 32-byte private scalar of a P-256 private key in PEM (PKCS#8 or SEC 1). */
export function privateKeyFromPem(pem: string): Uint8Array {
  return parse('PEM private key', () => leftPad(fromBase64Url(p256Jwk(createPrivateKey(pem)).d, 'private scalar'), 32));
}

/** The 65-byte uncompressed point 04‖x‖y of a P-256 key in PEM (public or private). */
export function publicKeyFromPem(pem: string): Uint8Array {
  return parse('PEM public key', () => {
    const jwk = p256Jwk(createPublicKey(pem));
    const out = new Uint8Array(65);
    out[0] = 0x04;
    out.set(leftPad(fromBase64Url(jwk.x, 'x'), 32), 1);
    out.set(leftPad(fromBase64Url(jwk.y, 'y'), 32), 33);
    return out;
  });
}

function keyFileNames(dir: string): Set<string> {
  try {
    return new Set(readdirSync(dir));
  } catch {
    return new Set();
  }
}

/** Verification answers kept per key (see `verify`). */
const RECENT_VERIFICATIONS = 8;

/**
 * The trusted keys of `dir`, read when first asked for and kept. An identifier outside
 * KEY_ID_PATTERN never names a file; the name must match exactly (also on a file system
 * that ignores case); a file that is not a P-256 public key trusts nothing. A missing
 * folder is an empty store: the caller decides how loud to be. Unknown identifiers are
 * looked up again next time, so a key added while running is found.
 */
export function loadTrustDirectory(dir: string): TrustStore & { readonly dir: string } {
  const cache = new Map<string, Uint8Array>();
  const keyObjects = new Map<string, KeyObject>();
  const verified = new Map<string, { message: Buffer; signature: Buffer; ok: boolean }[]>();
  const store = {
    dir,
    /** Native verification: OpenSSL checks a P-256 signature ~35× faster than pure JS. */
    verify(keyId: string, message: Uint8Array, signature: Uint8Array): boolean {
      let key = keyObjects.get(keyId);
      if (key === undefined) {
        const point = store.publicKey(keyId);
        if (point === null) return false;
        key = createPublicKey({
          key: { kty: 'EC', crv: 'P-256', x: Buffer.from(point.subarray(1, 33)).toString('base64url'), y: Buffer.from(point.subarray(33)).toString('base64url') },
          format: 'jwk',
        });
        keyObjects.set(keyId, key);
      }
      // The same card read again presents the same bytes: the last answers per key are kept,
      // compared byte for byte, so a counter re-reading a card does not pay for ECDSA each time.
      const recent = verified.get(keyId) ?? [];
      const m = Buffer.from(message.buffer, message.byteOffset, message.length);
      const sig = Buffer.from(signature.buffer, signature.byteOffset, signature.length);
      for (const r of recent) if (r.signature.equals(sig) && r.message.equals(m)) return r.ok;
      const ok = verify('sha256', m, { key, dsaEncoding: 'ieee-p1363' }, sig);
      recent.unshift({ message: Buffer.from(m), signature: Buffer.from(sig), ok });
      if (recent.length > RECENT_VERIFICATIONS) recent.pop();
      verified.set(keyId, recent);
      return ok;
    },
    publicKey(keyId: string): Uint8Array | null {
      if (typeof keyId !== 'string' || !KEY_ID_PATTERN.test(keyId)) return null;
      const hit = cache.get(keyId);
      if (hit !== undefined) return hit.slice();
      const name = keyId + SUFFIX;
      if (!keyFileNames(dir).has(name)) return null;
      const path = join(dir, name);
      try {
        if (!statSync(path).isFile()) return null;
        const key = publicKeyFromPem(readFileSync(path, 'utf8'));
        cache.set(keyId, key);
        return key.slice();
      } catch {
        return null;
      }
    },
  };
  return store;
}

/** Identifiers of the `KEYID.pub.pem` files of `dir`, sorted; [] when the folder is missing. */
export function listTrustedKeys(dir: string): string[] {
  const out: string[] = [];
  for (const name of keyFileNames(dir)) {
    if (!name.endsWith(SUFFIX)) continue;
    const id = name.slice(0, -SUFFIX.length);
    if (KEY_ID_PATTERN.test(id)) out.push(id);
  }
  return out.sort();
}

/**
 * True for the public test key: by its identifier, or by its point when given (the test
 * key copied under another name is still worth nothing).
 */
export function isTestKey(keyId: string, publicKey?: Uint8Array | null): boolean {
  if (keyId === TEST_KEY_ID) return true;
  if (publicKey instanceof Uint8Array) return Buffer.from(publicKey).toString('hex') === TEST_PUBLIC_KEY_HEX;
  return false;
}
