/**
 * EF.PS of the professional key (card-profile.md §4) and the challenge of §5.
 *
 * All seven data objects are mandatory. `signedBytes` is rebuilt from the raw TLVs of
 * C0..C4 in that fixed order whatever their order in the file, because that is what
 * the fund signs; unknown tags, C5 and C6 are outside it. `C3` is a full calendar date.
 * A certificate whose point is not on the curve decodes (it is 65 bytes starting 04)
 * but never verifies anything. `00`/`FF` padding after the template is accepted, as
 * after any file's template, and is not part of `raw`.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { concat } from '../bytes.ts';
import { ChifaError, malformed } from '../errors.ts';
import { asciiValue, dateValue, enumValue, invalidInput, template, textValue, tlv } from './encode.ts';
import { guarded, readFileTemplate, TemplateFields } from './fields.ts';
import { KEY_ID_PATTERN, type IsoDate, type ProfessionalCertificate, type ProfessionalRole, type TrustStore } from './model.ts';
import { EF_PS_MAX, ROLES, TEMPLATE } from './profile.ts';
import { verifyWithStore } from './signature.ts';

const FILE = 'EF.PS';
const ID_MAX = 14;
const SIGNED_TAGS = ['C0', 'C1', 'C2', 'C3', 'C4'] as const;

export function decodeProfessionalCertificate(e1: Uint8Array): ProfessionalCertificate {
  return guarded(FILE, () => {
    const node = readFileTemplate(e1, FILE, TEMPLATE.PS);
    if (node.raw.length > EF_PS_MAX) throw malformed(FILE, TEMPLATE.PS, `${node.raw.length} bytes, at most ${EF_PS_MAX}`);
    const f = new TemplateFields(FILE, node, [...SIGNED_TAGS, 'C5', 'C6']);
    const id = f.ascii('C0', ID_MAX);
    const name = f.text('C1');
    const role = f.enumerated('C2', ROLES);
    const validUntil = f.date('C3');
    const publicKey = f.bytes('C4', 65);
    if (publicKey[0] !== 0x04) throw f.fail('C4', 'not an uncompressed point (04 …)');
    return {
      id,
      name,
      role,
      validUntil,
      publicKey: publicKey.slice(),
      fundSignature: f.bytes('C5', 64).slice(),
      fundKeyId: f.ascii('C6'),
      raw: node.raw.slice(),
      signedBytes: concat(...SIGNED_TAGS.map((t) => f.node(t).raw)),
    };
  });
}

export interface ProfessionalFields {
  id: string;
  name: string;
  role: ProfessionalRole;
  validUntil: IsoDate;
  publicKey: Uint8Array;
}

/**
 * Builds EF.PS. `fundSignature` is either the 64 bytes to write as given, or a signer
 * called with the bytes C5 must sign.
 */
export function encodeProfessionalCertificate(
  fields: ProfessionalFields,
  fundKeyId: string,
  fundSignature: Uint8Array | ((signedBytes: Uint8Array) => Uint8Array),
): Uint8Array {
  const pk = fields.publicKey;
  if (!(pk instanceof Uint8Array) || pk.length !== 65 || pk[0] !== 0x04) {
    throw invalidInput('professional.publicKey', 'must be a 65-byte uncompressed P-256 point');
  }
  const signed = [
    tlv('professional.id', 'C0', asciiValue('professional.id', fields.id, ID_MAX)),
    tlv('professional.name', 'C1', textValue('professional.name', fields.name)),
    tlv('professional.role', 'C2', enumValue('professional.role', fields.role, ROLES)),
    tlv('professional.validUntil', 'C3', dateValue('professional.validUntil', fields.validUntil)),
    tlv('professional.publicKey', 'C4', pk),
  ];
  const signature = typeof fundSignature === 'function' ? fundSignature(concat(...signed)) : fundSignature;
  if (!(signature instanceof Uint8Array) || signature.length !== 64) {
    throw invalidInput('certificate.signature', 'must be 64 bytes r‖s');
  }
  const out = template('certificate', TEMPLATE.PS, [
    ...signed,
    tlv('certificate.signature', 'C5', signature),
    tlv('certificate.keyId', 'C6', asciiValue('certificate.keyId', fundKeyId)),
  ]);
  if (out.length > EF_PS_MAX) throw invalidInput('professional', `EF.PS would be ${out.length} bytes, at most ${EF_PS_MAX}`);
  return out;
}

/**
 * What the terminal (and the emulated card) make of a certificate on `today`. The fund
 * signature is checked before the date, so a forged certificate is never called merely
 * expired. Never throws.
 */
export function checkProfessionalCertificate(
  cert: ProfessionalCertificate,
  trust: TrustStore,
  today: IsoDate,
): 'valid' | 'invalid' | 'untrusted-key' | 'expired' {
  if (!KEY_ID_PATTERN.test(cert.fundKeyId)) return 'untrusted-key';
  let key: Uint8Array | null;
  try {
    key = trust.publicKey(cert.fundKeyId);
  } catch {
    key = null;
  }
  if (!(key instanceof Uint8Array)) return 'untrusted-key';
  if (!verifyWithStore(trust, cert.fundKeyId, key, cert.signedBytes, cert.fundSignature)) return 'invalid';
  return cert.validUntil < today ? 'expired' : 'valid';
}

/** What the professional key signs to answer the insured card's challenge: SHA-256(R ‖ serial). */
export function challengeDigest(challenge8: Uint8Array, serial8: Uint8Array): Uint8Array {
  if (challenge8.length !== 8) throw new ChifaError('invalid-input', 'a challenge is 8 bytes');
  if (serial8.length !== 8) throw new ChifaError('invalid-input', 'a card serial number is 8 bytes');
  return sha256(concat(challenge8, serial8));
}
