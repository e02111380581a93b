/**
 * Builds card templates from the `card read` JSON shape: what the card emulator serves.
 * Input is checked against the same rules the decoder enforces, so whatever encodes
 * decodes back to the same document; a value that breaks them is `invalid-input`.
 * Data objects go in the order of the profile's tables, with the shortest lengths.
 *
 * Deliberately looser: `encodeIcc` takes any profile version byte and
 * `encodeSignatureFile` any algorithm byte and signature length, because tests build
 * cards the reader must reject with them.
 */
import { fromHex, uintToBytes, utf8 } from '../bytes.ts';
import { ChifaError } from '../errors.ts';
import { encodeTemplate, encodeTlv } from '../tlv.ts';
import { isoToCardDate } from './dates.ts';
import type { Beneficiary, CardIdentity, CardInfo, ChronicCondition, Emergency, Holder, Rights } from './model.ts';
import {
  CARD_TYPES,
  CHRONIC_CODE_MAX,
  CHRONIC_CODE_MIN,
  INSURED_STATUSES,
  MAX_BENEFICIARIES,
  RATE_MAX,
  RELATIONSHIPS,
  RIGHTS_STATUSES,
  SEXES,
  SIGNATURE_ALGORITHM_ECDSA_P256_SHA256,
  TEMPLATE,
} from './profile.ts';

export function invalidInput(path: string, why: string): ChifaError {
  return new ChifaError('invalid-input', `${path}: ${why}`, { field: path });
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const MAX_VALUE = 0xffff;

/** Encodes a TLV, turning a value too long for the `82` form into invalid-input. */
export function tlv(path: string, tag: string, value: Uint8Array): Uint8Array {
  if (value.length > MAX_VALUE) throw invalidInput(path, `${value.length} bytes do not fit one data object`);
  return encodeTlv(tag, value);
}

export function template(path: string, tag: string, children: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const c of children) n += c.length;
  if (n > MAX_VALUE) throw invalidInput(path, `${n} bytes do not fit one template`);
  return encodeTemplate(tag, children);
}

export function textValue(path: string, v: unknown): Uint8Array {
  if (typeof v !== 'string') throw invalidInput(path, 'must be a string');
  if (LONE_SURROGATE.test(v)) throw invalidInput(path, 'is not well-formed Unicode');
  return utf8(v);
}

export function asciiValue(path: string, v: unknown, maxBytes = Infinity): Uint8Array {
  if (typeof v !== 'string' || !/^[\x20-\x7e]*$/.test(v)) throw invalidInput(path, 'must be printable ASCII');
  if (v.length > maxBytes) throw invalidInput(path, `must be at most ${maxBytes} characters`);
  return utf8(v);
}

function digitsValue(path: string, v: unknown, count: number): Uint8Array {
  if (typeof v !== 'string' || !new RegExp(`^[0-9]{${count}}$`).test(v)) {
    throw invalidInput(path, `must be ${count} ASCII digits`);
  }
  return utf8(v);
}

export function dateValue(path: string, v: unknown, partial = false): Uint8Array {
  const d = typeof v === 'string' ? isoToCardDate(v, partial) : null;
  if (d === null) {
    throw invalidInput(path, partial ? 'must be a birth date YYYY-MM-DD (MM, DD may be 00)' : 'must be a calendar date YYYY-MM-DD');
  }
  return d;
}

export function intValue(path: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw invalidInput(path, `must be an integer ${min}..${max}`);
  }
  return v;
}

function rateValue(path: string, v: unknown): Uint8Array {
  return uintToBytes(intValue(path, v, 0, RATE_MAX), 2);
}

export function enumValue(path: string, v: unknown, table: Readonly<Record<number, unknown>>): Uint8Array {
  for (const [code, name] of Object.entries(table)) if (name === v) return Uint8Array.of(Number(code));
  throw invalidInput(path, `must be one of ${Object.values(table).map(String).join(', ')}`);
}

function optional(tag: string, v: unknown, encode: (v: unknown) => Uint8Array, path: string): Uint8Array[] {
  return v === null || v === undefined ? [] : [tlv(path, tag, encode(v))];
}

function record(path: string, v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalidInput(path, 'must be an object');
  return v as Record<string, unknown>;
}

function chronic(path: string, list: unknown): Uint8Array[] {
  if (list === null || list === undefined) return [];
  if (!Array.isArray(list)) throw invalidInput(path, 'must be a list');
  if (list.length === 0) return [];
  const entries = list.map((item: unknown, i) => {
    const p = `${path}[${i}]`;
    const c = record(p, item) as Partial<ChronicCondition>;
    return template(p, TEMPLATE.CHRONIC_ENTRY, [
      tlv(p, 'C0', Uint8Array.of(intValue(`${p}.code`, c.code, CHRONIC_CODE_MIN, CHRONIC_CODE_MAX))),
      tlv(p, 'C1', dateValue(`${p}.validUntil`, c.validUntil)),
    ]);
  });
  return [template(path, TEMPLATE.CHRONIC, entries)];
}

export function encodeIcc(card: CardInfo & { profileVersion?: number }): Uint8Array {
  const c = record('card', card);
  const serial = c.serial;
  if (typeof serial !== 'string' || !/^[0-9A-Fa-f]{16}$/.test(serial)) {
    throw invalidInput('card.serial', 'must be 16 hex digits');
  }
  const version = c.profileVersion === undefined ? 1 : intValue('profileVersion', c.profileVersion, 0, 255);
  return template('card', TEMPLATE.ICC, [
    tlv('profileVersion', 'C0', Uint8Array.of(version)),
    tlv('card.serial', 'C1', fromHex(serial)),
    tlv('card.fund', 'C2', asciiValue('card.fund', c.fund)),
    ...optional('C3', c.agency, (v) => asciiValue('card.agency', v), 'card.agency'),
    tlv('card.issued', 'C4', dateValue('card.issued', c.issued)),
    tlv('card.expires', 'C5', dateValue('card.expires', c.expires)),
    tlv('card.type', 'C6', enumValue('card.type', c.type, CARD_TYPES)),
  ]);
}

export function encodeHolder(holder: Holder): Uint8Array {
  const h = record('holder', holder);
  return template('holder', TEMPLATE.HOLDER, [
    tlv('holder.nss', 'C0', digitsValue('holder.nss', h.nss, 12)),
    tlv('holder.surname', 'C1', textValue('holder.surname', h.surname)),
    tlv('holder.givenNames', 'C2', textValue('holder.givenNames', h.givenNames)),
    ...optional('C3', h.surnameAr, (v) => textValue('holder.surnameAr', v), 'holder.surnameAr'),
    ...optional('C4', h.givenNamesAr, (v) => textValue('holder.givenNamesAr', v), 'holder.givenNamesAr'),
    tlv('holder.birthDate', 'C5', dateValue('holder.birthDate', h.birthDate, true)),
    tlv('holder.sex', 'C6', enumValue('holder.sex', h.sex, SEXES)),
    ...optional('C7', h.wilaya, (v) => digitsValue('holder.wilaya', v, 2), 'holder.wilaya'),
    tlv('holder.status', 'C8', enumValue('holder.status', h.status, INSURED_STATUSES)),
    ...optional('C9', h.rate, (v) => rateValue('holder.rate', v), 'holder.rate'),
    ...chronic('holder.chronicConditions', h.chronicConditions),
  ]);
}

export function encodeRights(rights: Rights): Uint8Array {
  const r = record('rights', rights);
  if (typeof r.thirdPartyPayment !== 'boolean') throw invalidInput('rights.thirdPartyPayment', 'must be true or false');
  return template('rights', TEMPLATE.RIGHTS, [
    tlv('rights.validFrom', 'C0', dateValue('rights.validFrom', r.validFrom)),
    tlv('rights.validTo', 'C1', dateValue('rights.validTo', r.validTo)),
    tlv('rights.status', 'C2', enumValue('rights.status', r.status, RIGHTS_STATUSES)),
    tlv('rights.defaultRate', 'C3', rateValue('rights.defaultRate', r.defaultRate)),
    tlv('rights.thirdPartyPayment', 'C4', Uint8Array.of(r.thirdPartyPayment ? 1 : 0)),
  ]);
}

function encodeBeneficiary(path: string, beneficiary: Beneficiary): Uint8Array {
  const b = record(path, beneficiary);
  return template(path, TEMPLATE.BENEFICIARY, [
    tlv(`${path}.index`, 'C0', Uint8Array.of(intValue(`${path}.index`, b.index, 1, MAX_BENEFICIARIES))),
    tlv(`${path}.relationship`, 'C1', enumValue(`${path}.relationship`, b.relationship, RELATIONSHIPS)),
    tlv(`${path}.surname`, 'C2', textValue(`${path}.surname`, b.surname)),
    tlv(`${path}.givenNames`, 'C3', textValue(`${path}.givenNames`, b.givenNames)),
    ...optional('C4', b.surnameAr, (v) => textValue(`${path}.surnameAr`, v), `${path}.surnameAr`),
    ...optional('C5', b.givenNamesAr, (v) => textValue(`${path}.givenNamesAr`, v), `${path}.givenNamesAr`),
    tlv(`${path}.birthDate`, 'C6', dateValue(`${path}.birthDate`, b.birthDate, true)),
    tlv(`${path}.sex`, 'C7', enumValue(`${path}.sex`, b.sex, SEXES)),
    ...optional('C8', b.rate, (v) => rateValue(`${path}.rate`, v), `${path}.rate`),
    ...chronic(`${path}.chronicConditions`, b.chronicConditions),
  ]);
}

export function encodeBeneficiaries(list: Beneficiary[]): Uint8Array {
  if (!Array.isArray(list)) throw invalidInput('beneficiaries', 'must be a list');
  if (list.length > MAX_BENEFICIARIES) throw invalidInput('beneficiaries', `at most ${MAX_BENEFICIARIES} entries`);
  const seen = new Set<unknown>();
  const entries = list.map((b, i) => {
    const bytes = encodeBeneficiary(`beneficiaries[${i}]`, b);
    if (seen.has(b.index)) throw invalidInput(`beneficiaries[${i}].index`, `index ${String(b.index)} appears twice`);
    seen.add(b.index);
    return bytes;
  });
  return template('beneficiaries', TEMPLATE.BENEFICIARIES, entries);
}

export function encodeEmergency(emergency: Emergency): Uint8Array {
  const e = record('emergency', emergency);
  return template('emergency', TEMPLATE.EMERGENCY, [
    ...optional('C0', e.bloodGroup, (v) => asciiValue('emergency.bloodGroup', v), 'emergency.bloodGroup'),
    ...optional('C1', e.allergies, (v) => textValue('emergency.allergies', v), 'emergency.allergies'),
    ...optional('C2', e.emergencyContact, (v) => textValue('emergency.emergencyContact', v), 'emergency.emergencyContact'),
    ...optional('C3', e.notes, (v) => textValue('emergency.notes', v), 'emergency.notes'),
  ]);
}

export function encodeSignatureFile(
  keyId: string,
  signature: Uint8Array,
  algorithm: number = SIGNATURE_ALGORITHM_ECDSA_P256_SHA256,
): Uint8Array {
  if (!(signature instanceof Uint8Array)) throw invalidInput('signature', 'must be bytes');
  return template('signature', TEMPLATE.SIGNATURE, [
    tlv('signature.keyId', 'C0', asciiValue('signature.keyId', keyId)),
    tlv('signature.algorithm', 'C1', Uint8Array.of(intValue('signature.algorithm', algorithm, 0, 255))),
    tlv('signature.value', 'C2', signature),
  ]);
}

export interface IdentityFiles {
  icc: Uint8Array;
  holder: Uint8Array;
  rights: Uint8Array;
  beneficiaries: Uint8Array;
}

export function encodeIdentityFiles(id: CardIdentity & { profileVersion?: number }): IdentityFiles {
  const doc = record('card document', id);
  const card = record('card', doc.card) as unknown as CardInfo;
  const beneficiaries = doc.beneficiaries as Beneficiary[];
  if (card.type === 'individual' && Array.isArray(beneficiaries) && beneficiaries.length !== 1) {
    throw invalidInput('beneficiaries', 'an individual card holds exactly one beneficiary');
  }
  const version = doc.profileVersion as number | undefined;
  return {
    icc: encodeIcc(version === undefined ? card : { ...card, profileVersion: version }),
    holder: encodeHolder(doc.holder as Holder),
    rights: encodeRights(doc.rights as Rights),
    beneficiaries: encodeBeneficiaries(beneficiaries),
  };
}
