/**
 * The issuer signature of EF.SIGNATURE (card-profile.md §2) and the P-256 primitives of
 * the profile. Every signature is the 64-byte r‖s form.
 *
 * Verification accepts high-S signatures (`lowS: false`): OpenSSL and Node's crypto do
 * not normalise S, so half of the signatures an issuer makes with them are high-S.
 *
 * Order of the EF.SIGNATURE checks where the profile leaves it open: the file's shape
 * first (parse, `C0`, `C1` = 01, `C2` of 64 bytes: `invalid`), then the key identifier
 * (outside the pattern, or not in the store: `untrusted-key`), then the signature.
 * A `C0` that is not valid UTF-8 cannot be read: `invalid` with keyId null. A `C0`
 * given twice is ambiguous: `invalid` with keyId null.
 */
import { p256 } from '@noble/curves/nist.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concat, decodeUtf8 } from '../bytes.ts';
import { ChifaError } from '../errors.ts';
import { readTlv, type TlvNode } from '../tlv.ts';
import { readChildren, readFileTemplate } from './fields.ts';
import { KEY_ID_PATTERN, type CardFiles, type SignatureInfo, type TrustStore } from './model.ts';
import { SIGNATURE_ALGORITHM_ECDSA_P256_SHA256, TEMPLATE } from './profile.ts';

const SIGNATURE_SIZE = 64;

function templateBytes(bytes: Uint8Array): Uint8Array {
  try {
    return readTlv(bytes, 0).node.raw;
  } catch {
    return bytes;
  }
}

/** ICC ‖ HOLDER ‖ RIGHTS ‖ BENEFICIARIES, each template exactly as read, no padding. */
export function signedMessage(files: Pick<CardFiles, 'icc' | 'holder' | 'rights' | 'beneficiaries'>): Uint8Array {
  return concat(
    templateBytes(files.icc),
    templateBytes(files.holder),
    templateBytes(files.rights),
    templateBytes(files.beneficiaries),
  );
}

/** ECDSA P-256 over SHA-256(message); false for anything malformed, never throws. */
export function verifyP256(message: Uint8Array, signature: Uint8Array, publicKey65: Uint8Array): boolean {
  try {
    return verifyDigest(sha256(message), signature, publicKey65);
  } catch {
    return false;
  }
}

/** The store's native verification where it has one, else pure JS; never throws. */
export function verifyWithStore(
  trust: TrustStore,
  keyId: string,
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  if (signature.length !== SIGNATURE_SIZE) return false;
  if (trust.verify) {
    try {
      return trust.verify(keyId, message, signature);
    } catch {
      return false;
    }
  }
  return verifyP256(message, signature, publicKey);
}

/** Verifies a signature over a digest already computed (no second hashing). Never throws. */
export function verifyDigest(digest32: Uint8Array, signature: Uint8Array, publicKey65: Uint8Array): boolean {
  try {
    if (digest32.length !== 32 || signature.length !== SIGNATURE_SIZE || publicKey65.length !== 65) return false;
    return p256.verify(signature, digest32, publicKey65, { prehash: false, lowS: false, format: 'compact' });
  } catch {
    return false;
  }
}

/** Signs a 32-byte digest as is: what the professional token's PSO COMPUTE DIGITAL SIGNATURE does. */
export function signDigest(digest32: Uint8Array, privateKey32: Uint8Array): Uint8Array {
  if (digest32.length !== 32) throw new ChifaError('invalid-input', 'a digest to sign must be 32 bytes');
  if (privateKey32.length !== 32) throw new ChifaError('invalid-input', 'a P-256 private key must be 32 bytes');
  try {
    return p256.sign(digest32, privateKey32, { prehash: false, format: 'compact' });
  } catch (e) {
    throw new ChifaError('invalid-input', `cannot sign: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** ECDSA P-256 with SHA-256 of `message`, 64 bytes r‖s. */
export function signP256(message: Uint8Array, privateKey32: Uint8Array): Uint8Array {
  return signDigest(sha256(message), privateKey32);
}

interface SignatureFile {
  keyId: string | null;
  /** Why the file cannot be used, or null when its shape is right. */
  problem: string | null;
  signature: Uint8Array;
}

function parseSignatureFile(bytes: Uint8Array): SignatureFile {
  const broken = (keyId: string | null, problem: string): SignatureFile => ({ keyId, problem, signature: new Uint8Array(0) });
  let children: TlvNode[];
  try {
    children = readChildren(readFileTemplate(bytes, 'EF.SIGNATURE', TEMPLATE.SIGNATURE), 'EF.SIGNATURE');
  } catch {
    return broken(null, 'EF.SIGNATURE does not parse');
  }
  const byTag = new Map<string, TlvNode[]>();
  for (const c of children) byTag.set(c.tag, [...(byTag.get(c.tag) ?? []), c]);
  const c0 = byTag.get('C0') ?? [];
  if (c0.length !== 1) return broken(null, c0.length === 0 ? 'no key identifier' : 'two key identifiers');
  let keyId: string;
  try {
    keyId = decodeUtf8(c0[0]!.value);
  } catch {
    return broken(null, 'the key identifier is not text');
  }
  const c1 = byTag.get('C1') ?? [];
  if (c1.length !== 1 || c1[0]!.value.length !== 1 || c1[0]!.value[0] !== SIGNATURE_ALGORITHM_ECDSA_P256_SHA256) {
    return broken(keyId, 'algorithm is not 01');
  }
  const c2 = byTag.get('C2') ?? [];
  if (c2.length !== 1 || c2[0]!.value.length !== SIGNATURE_SIZE) return broken(keyId, 'signature is not 64 bytes');
  return { keyId, problem: null, signature: c2[0]!.value };
}

/** Checks EF.SIGNATURE over the identity files. Never throws: a bad signature never fails a read. */
export function verifyCardSignature(files: CardFiles, trust: TrustStore): SignatureInfo {
  try {
    if (!(files.signature instanceof Uint8Array)) return { keyId: null, status: 'invalid' };
    const parsed = parseSignatureFile(files.signature);
    if (parsed.problem !== null || parsed.keyId === null) return { keyId: parsed.keyId, status: 'invalid' };
    const keyId = parsed.keyId;
    if (!KEY_ID_PATTERN.test(keyId)) return { keyId, status: 'untrusted-key' };
    let publicKey: Uint8Array | null;
    try {
      publicKey = trust.publicKey(keyId);
    } catch {
      publicKey = null;
    }
    if (!(publicKey instanceof Uint8Array)) return { keyId, status: 'untrusted-key' };
    const ok = verifyWithStore(trust, keyId, publicKey, signedMessage(files), parsed.signature);
    return { keyId, status: ok ? 'valid' : 'invalid' };
  } catch {
    return { keyId: null, status: 'invalid' };
  }
}
