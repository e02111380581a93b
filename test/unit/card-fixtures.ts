/** Shared by the card-*.test.ts files: sample cards, raw TLV builders, test keys, arbitraries. */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { ascii, concat, fromHex } from '../../src/core/bytes.ts';
import { encodeTemplate, encodeTlv } from '../../src/core/tlv.ts';
import { daysInMonth } from '../../src/core/card/dates.ts';
import type {
  Beneficiary,
  CardFiles,
  CardIdentity,
  ChronicCondition,
  Holder,
  TrustStore,
} from '../../src/core/card/model.ts';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const keysDir = path.join(repoRoot, 'data/demo/keys');

/** The `card read` example of json-contract.md, identity part. */
export function sampleIdentity(): CardIdentity {
  return {
    card: {
      serial: '00A1B2C3D4E5F601',
      fund: 'CNAS',
      agency: '16-001',
      issued: '2024-03-01',
      expires: '2029-02-28',
      type: 'family',
    },
    holder: {
      nss: '501234567890',
      surname: 'BENALI',
      givenNames: 'AHMED',
      surnameAr: 'بن علي',
      givenNamesAr: 'أحمد',
      birthDate: '1950-00-00',
      sex: 'M',
      wilaya: '16',
      status: 'pensioner',
      rate: 10000,
      chronicConditions: [{ code: 12, validUntil: '2027-06-30' }],
    },
    rights: {
      validFrom: '2026-01-01',
      validTo: '2026-12-31',
      status: 'active',
      defaultRate: 8000,
      thirdPartyPayment: true,
    },
    beneficiaries: [
      {
        index: 1,
        relationship: 'spouse',
        surname: 'BENALI',
        givenNames: 'FATIMA',
        surnameAr: null,
        givenNamesAr: null,
        birthDate: '1955-03-12',
        sex: 'F',
        rate: null,
        chronicConditions: [],
      },
    ],
  };
}

// ---- raw builders: a template as an editable list of [tag, value] ----

export type Field = [tag: string, value: Uint8Array];
export const h = (s: string): Uint8Array => fromHex(s);
export const a = (s: string): Uint8Array => ascii(s);
export const u = (s: string): Uint8Array => new TextEncoder().encode(s);

export function tpl(tag: string, fields: Field[]): Uint8Array {
  return encodeTemplate(
    tag,
    fields.map(([t, v]) => encodeTlv(t, v)),
  );
}

/** Replaces the first `tag` (or appends it), or removes every `tag` when value is null. */
export function set(fields: Field[], tag: string, value: Uint8Array | null): Field[] {
  if (value === null) return fields.filter(([t]) => t !== tag);
  const i = fields.findIndex(([t]) => t === tag);
  if (i < 0) return [...fields, [tag, value]];
  return fields.map((f, j) => (j === i ? [tag, value] : f));
}

export const iccFields = (): Field[] => [
  ['C0', h('01')],
  ['C1', h('00A1B2C3D4E5F601')],
  ['C2', a('CNAS')],
  ['C3', a('16-001')],
  ['C4', a('20240301')],
  ['C5', a('20290228')],
  ['C6', h('01')],
];
/** The value of an `E6`: its `E7` entries. */
export const chronicValue = (entries: Field[][]): Uint8Array => concat(...entries.map((e) => tpl('E7', e)));
export const holderFields = (): Field[] => [
  ['C0', a('501234567890')],
  ['C1', u('BENALI')],
  ['C2', u('AHMED')],
  ['C3', u('بن علي')],
  ['C4', u('أحمد')],
  ['C5', a('19500000')],
  ['C6', h('01')],
  ['C7', a('16')],
  ['C8', h('02')],
  ['C9', h('2710')],
  ['E6', chronicValue([[['C0', h('0C')], ['C1', a('20270630')]]])],
];
export const rightsFields = (): Field[] => [
  ['C0', a('20260101')],
  ['C1', a('20261231')],
  ['C2', h('00')],
  ['C3', h('1F40')],
  ['C4', h('01')],
];
export const beneficiaryFields = (index = 1): Field[] => [
  ['C0', Uint8Array.of(index)],
  ['C1', h('01')],
  ['C2', u('BENALI')],
  ['C3', u('FATIMA')],
  ['C6', a('19550312')],
  ['C7', h('02')],
];

export function beneficiariesTpl(entries: Field[][]): Uint8Array {
  return encodeTlv('E4', concat(...entries.map((e) => tpl('E5', e))));
}

export interface RawCard {
  icc?: Field[];
  holder?: Field[];
  rights?: Field[];
  beneficiaries?: Field[][];
}

/** Files built from raw fields; the defaults decode to `sampleIdentity()`. */
export function rawFiles(raw: RawCard = {}): CardFiles {
  return {
    icc: tpl('E1', raw.icc ?? iccFields()),
    holder: tpl('E2', raw.holder ?? holderFields()),
    rights: tpl('E3', raw.rights ?? rightsFields()),
    beneficiaries: beneficiariesTpl(raw.beneficiaries ?? [beneficiaryFields(1)]),
    signature: null,
  };
}

// ---- keys ----

export interface TestKey {
  keyId: string;
  privateKey: Uint8Array;
  publicKey: Uint8Array;
  nodePrivate: KeyObject;
  nodePublic: KeyObject;
}

export function keyPaths(kind: 'issuer' | 'professional', keyId: string): { key: string; pub: string } {
  return {
    key: path.join(keysDir, kind, `${keyId}.key.pem`),
    pub: path.join(keysDir, kind, `${keyId}.pub.pem`),
  };
}

export const keysPresent = existsSync(keyPaths('issuer', 'CNAS-TEST-2026').key);
/** Without the keys the key tests are skipped, except under CI, where they must run and fail. */
export const keysSkip = !keysPresent && !process.env.CI;
export const keysSkipNote = keysSkip ? ` [skipped: no test keys in ${keysDir}; under CI this fails]` : '';

function b64url(s: string | undefined): Uint8Array {
  return new Uint8Array(Buffer.from(s ?? '', 'base64url'));
}

export function loadKey(kind: 'issuer' | 'professional', keyId: string): TestKey {
  const p = keyPaths(kind, keyId);
  const nodePrivate = createPrivateKey(readFileSync(p.key));
  const nodePublic = createPublicKey(readFileSync(p.pub));
  const jwk = nodePrivate.export({ format: 'jwk' });
  const pub = nodePublic.export({ format: 'jwk' });
  const publicKey = new Uint8Array(65);
  publicKey[0] = 0x04;
  publicKey.set(b64url(pub.x), 1);
  publicKey.set(b64url(pub.y), 33);
  return { keyId, privateKey: b64url(jwk.d), publicKey, nodePrivate, nodePublic };
}

/** The key, or an inert stand-in when the suite using it is skipped (suites are still collected). */
export function testKey(kind: 'issuer' | 'professional', keyId: string): TestKey {
  if (!keysSkip) return loadKey(kind, keyId);
  return { keyId, privateKey: new Uint8Array(32), publicKey: new Uint8Array(65), nodePrivate: undefined as never, nodePublic: undefined as never };
}

export function trustOf(keys: Record<string, Uint8Array>): TrustStore & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    publicKey(keyId: string) {
      asked.push(keyId);
      return Object.prototype.hasOwnProperty.call(keys, keyId) ? keys[keyId]! : null;
    },
  };
}

// ---- arbitraries ----

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

export const arbDate = fc
  .record({ y: fc.integer({ min: 1, max: 9999 }), m: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 31 }) })
  .map(({ y, m, d }) => `${pad(y, 4)}-${pad(m, 2)}-${pad(Math.min(d, daysInMonth(y, m)), 2)}`);

export const arbBirthDate = fc.oneof(
  arbDate,
  arbDate.map((s) => `${s.slice(0, 8)}00`),
  arbDate.map((s) => `${s.slice(0, 5)}00-00`),
);

export const arbText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: fc.constantFrom('ب', 'ن', 'ع', 'ل', 'ي', ' ', 'أ', 'é', '\u00a0', '\ufeff'), maxLength: 30 }),
);
export const arbAscii = fc.string({ unit: 'grapheme-ascii', maxLength: 20 });
const digits = (n: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: n, maxLength: n });
const arbRate = fc.integer({ min: 0, max: 10000 });
const nullable = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.option(arb, { nil: null });

export const arbChronic: fc.Arbitrary<ChronicCondition[]> = fc.array(
  fc.record({ code: fc.integer({ min: 1, max: 26 }), validUntil: arbDate }),
  { maxLength: 4 },
);

export const arbHolder: fc.Arbitrary<Holder> = fc.record({
  nss: digits(12),
  surname: arbText,
  givenNames: arbText,
  surnameAr: nullable(arbText),
  givenNamesAr: nullable(arbText),
  birthDate: arbBirthDate,
  sex: fc.constantFrom('M' as const, 'F' as const),
  wilaya: nullable(digits(2)),
  status: fc.constantFrom(
    'employee' as const,
    'pensioner' as const,
    'unemployment-benefit' as const,
    'student' as const,
    'disability' as const,
    'other' as const,
  ),
  rate: nullable(arbRate),
  chronicConditions: arbChronic,
});

const arbBeneficiaryBody = fc.record({
  relationship: fc.constantFrom('spouse' as const, 'child' as const, 'ascendant' as const, 'other-dependant' as const),
  surname: arbText,
  givenNames: arbText,
  surnameAr: nullable(arbText),
  givenNamesAr: nullable(arbText),
  birthDate: arbBirthDate,
  sex: fc.constantFrom('M' as const, 'F' as const),
  rate: nullable(arbRate),
  chronicConditions: arbChronic,
});

const arbBeneficiaries = (min: number, max: number): fc.Arbitrary<Beneficiary[]> =>
  fc
    .uniqueArray(fc.integer({ min: 1, max: 10 }), { minLength: min, maxLength: max })
    .chain((indexes) =>
      fc.tuple(...indexes.map(() => arbBeneficiaryBody)).map((bodies) => bodies.map((b, i) => ({ index: indexes[i]!, ...b }))),
    );

export const arbIdentity: fc.Arbitrary<CardIdentity> = fc
  .constantFrom('family' as const, 'individual' as const)
  .chain((type) =>
    fc.record({
      card: fc.record({
        serial: fc.uint8Array({ minLength: 8, maxLength: 8 }).map((b) => Buffer.from(b).toString('hex').toUpperCase()),
        fund: arbAscii,
        agency: nullable(arbAscii),
        issued: arbDate,
        expires: arbDate,
        type: fc.constant(type),
      }),
      holder: arbHolder,
      rights: fc.record({
        validFrom: arbDate,
        validTo: arbDate,
        status: fc.constantFrom('active' as const, 'suspended' as const),
        defaultRate: arbRate,
        thirdPartyPayment: fc.boolean(),
      }),
      beneficiaries: type === 'individual' ? arbBeneficiaries(1, 1) : arbBeneficiaries(0, 10),
    }),
  );
