import { createHash, sign as nodeSign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { concat, hex, utf8 } from '../../src/core/bytes.ts';
import { ChifaError } from '../../src/core/errors.ts';
import { encodeTlv } from '../../src/core/tlv.ts';
import {
  challengeDigest,
  checkProfessionalCertificate,
  decodeProfessionalCertificate,
  encodeProfessionalCertificate,
  type ProfessionalFields,
} from '../../src/core/card/professional.ts';
import { signDigest, signP256, verifyP256 } from '../../src/core/card/signature.ts';
import { a, h, keysSkip, keysSkipNote, testKey, set, tpl, trustOf, u, type Field } from './card-fixtures.ts';


function malformedOf(fn: () => unknown): ChifaError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ChifaError);
    expect((e as ChifaError).code).toBe('malformed-card-data');
    return e as ChifaError;
  }
  throw new Error('expected malformed-card-data');
}

describe.skipIf(keysSkip)(`EF.PS professional certificate${keysSkipNote}`, () => {
  const fund = testKey('issuer', 'CNAS-TEST-2026');
  const pharmacist = testKey('professional', 'PH-TEST-0001');
  const physician = testKey('professional', 'MD-TEST-0002');
  const trust = () => trustOf({ 'CNAS-TEST-2026': fund.publicKey });
  const fields: ProfessionalFields = {
    id: 'PH-TEST-0001',
    name: 'Pharmacie Ben Salah — صيدلية',
    role: 'pharmacist',
    validUntil: '2030-12-31',
    publicKey: pharmacist.publicKey,
  };
  const make = (over: Partial<ProfessionalFields> = {}) =>
    encodeProfessionalCertificate({ ...fields, ...over }, 'CNAS-TEST-2026', (m) => signP256(m, fund.privateKey));

  it('encodes C0..C6 in order, decodes back, and C5 signs C0‖C1‖C2‖C3‖C4', () => {
    const e1 = make();
    expect(e1[0]).toBe(0xe1);
    expect(e1.length).toBeLessThanOrEqual(255);
    const cert = decodeProfessionalCertificate(e1);
    expect(cert).toMatchObject({ id: 'PH-TEST-0001', name: fields.name, role: 'pharmacist', validUntil: '2030-12-31', fundKeyId: 'CNAS-TEST-2026' });
    expect(cert.publicKey).toEqual(pharmacist.publicKey);
    expect(cert.raw).toEqual(e1);
    const signed = concat(
      encodeTlv('C0', utf8('PH-TEST-0001')),
      encodeTlv('C1', utf8(fields.name)),
      h('C20101'),
      encodeTlv('C3', utf8('20301231')),
      encodeTlv('C4', pharmacist.publicKey),
    );
    expect(cert.signedBytes).toEqual(signed);
    expect(verifyP256(signed, cert.fundSignature, fund.publicKey)).toBe(true);
    expect(checkProfessionalCertificate(cert, trust(), '2026-05-01')).toBe('valid');
  });

  it('signedBytes follow C0..C4 order and the raw bytes, whatever the order in the file', () => {
    const cert = decodeProfessionalCertificate(make());
    // same objects, written C4 C3 C2 C1 C0 with unknown tags, C1 with a long length form
    const c1Long = concat(h('C181'), Uint8Array.of(utf8(fields.name).length), utf8(fields.name));
    const reordered = encodeTlv(
      'E1',
      concat(
        encodeTlv('C6', utf8('CNAS-TEST-2026')),
        encodeTlv('C4', pharmacist.publicKey),
        h('DF0101FF'),
        encodeTlv('C3', utf8('20301231')),
        h('C20101'),
        c1Long,
        encodeTlv('C0', utf8('PH-TEST-0001')),
        encodeTlv('C5', cert.fundSignature),
      ),
    );
    const again = decodeProfessionalCertificate(reordered);
    expect(again.signedBytes).toEqual(
      concat(encodeTlv('C0', utf8('PH-TEST-0001')), c1Long, h('C20101'), encodeTlv('C3', utf8('20301231')), encodeTlv('C4', pharmacist.publicKey)),
    );
    // the long form changed what was signed: the fund's signature no longer holds
    expect(checkProfessionalCertificate(again, trust(), '2026-05-01')).toBe('invalid');
    // in any order without the long form, it holds again
    const plainBytes = encodeTlv('E1', concat(
      encodeTlv('C4', pharmacist.publicKey), encodeTlv('C5', cert.fundSignature), encodeTlv('C0', utf8('PH-TEST-0001')),
      encodeTlv('C1', utf8(fields.name)), h('C20101'), encodeTlv('C3', utf8('20301231')), encodeTlv('C6', utf8('CNAS-TEST-2026')),
    ));
    expect(checkProfessionalCertificate(decodeProfessionalCertificate(plainBytes), trust(), '2026-05-01')).toBe('valid');
  });

  it('check: untrusted-key, invalid, expired, valid on the last day', () => {
    const cert = decodeProfessionalCertificate(make({ validUntil: '2026-06-30' }));
    expect(checkProfessionalCertificate(cert, trust(), '2026-06-30')).toBe('valid');
    expect(checkProfessionalCertificate(cert, trust(), '2026-07-01')).toBe('expired');
    expect(checkProfessionalCertificate(cert, trustOf({}), '2026-06-01')).toBe('untrusted-key');
    const sneaky = trustOf({ '../CNAS-TEST-2026': fund.publicKey });
    const odd = decodeProfessionalCertificate(
      encodeProfessionalCertificate(fields, '../CNAS-TEST-2026', (m) => signP256(m, fund.privateKey)),
    );
    expect(checkProfessionalCertificate(odd, sneaky, '2026-06-01')).toBe('untrusted-key');
    expect(sneaky.asked).toEqual([]);
    const selfSigned = decodeProfessionalCertificate(
      encodeProfessionalCertificate(fields, 'CNAS-TEST-2026', (m) => signP256(m, pharmacist.privateKey)),
    );
    expect(checkProfessionalCertificate(selfSigned, trust(), '2026-06-01')).toBe('invalid');
    // forged and expired: invalid, never merely expired
    expect(checkProfessionalCertificate({ ...selfSigned, validUntil: '2020-01-01' }, trust(), '2026-06-01')).toBe('invalid');
    // a certificate signed by OpenSSL (node:crypto), possibly high-S, is accepted
    for (let i = 0; i < 8; i++) {
      const byNode = decodeProfessionalCertificate(
        encodeProfessionalCertificate(fields, 'CNAS-TEST-2026', (m) =>
          new Uint8Array(nodeSign('sha256', m, { key: fund.nodePrivate, dsaEncoding: 'ieee-p1363' }))),
      );
      expect(checkProfessionalCertificate(byNode, trust(), '2026-06-01')).toBe('valid');
    }
    expect(checkProfessionalCertificate(decodeProfessionalCertificate(make({ role: 'physician', publicKey: physician.publicKey, id: 'MD-TEST-0002' })), trust(), '2026-06-01')).toBe('valid');
  });

  it('a certificate given a fixed signature value keeps it', () => {
    const value = Uint8Array.from({ length: 64 }, (_, i) => 255 - i);
    const cert = decodeProfessionalCertificate(encodeProfessionalCertificate(fields, 'CNAS-TEST-2026', value));
    expect(cert.fundSignature).toEqual(value);
    expect(checkProfessionalCertificate(cert, trust(), '2026-01-01')).toBe('invalid');
  });

  it('challenge: SHA-256(R ‖ serial), signed as a digest by the token, verifies with the key', () => {
    const r = h('0102030405060708');
    const serial = h('00A1B2C3D4E5F601');
    const d = challengeDigest(r, serial);
    expect(hex(d)).toBe(createHash('sha256').update(concat(r, serial)).digest('hex'));
    const s = signDigest(d, pharmacist.privateKey);
    expect(verifyP256(concat(r, serial), s, pharmacist.publicKey)).toBe(true);
    expect(() => challengeDigest(r.subarray(1), serial)).toThrow(ChifaError);
    expect(() => challengeDigest(r, serial.subarray(1))).toThrow(ChifaError);
  });

  describe('malformed EF.PS', () => {
    const base = (): Field[] => [
      ['C0', a('PH-TEST-0001')],
      ['C1', u('Pharmacie')],
      ['C2', h('01')],
      ['C3', a('20301231')],
      ['C4', pharmacist.publicKey],
      ['C5', new Uint8Array(64)],
      ['C6', a('CNAS-TEST-2026')],
    ];
    const dup = (t: string): Field[] => [...base(), base().find(([x]) => x === t)!];

    it('the base template decodes', () => {
      expect(decodeProfessionalCertificate(tpl('E1', base())).id).toBe('PH-TEST-0001');
      expect(decodeProfessionalCertificate(tpl('E1', set(base(), 'C0', a('ABCDEFGHIJKLMN')))).id).toBe('ABCDEFGHIJKLMN');
    });

    it.each<[string, () => Uint8Array, string | null]>([
      ...['C0', 'C1', 'C2', 'C3', 'C4', 'C5', 'C6'].map((t): [string, () => Uint8Array, string] => [`${t} missing`, () => tpl('E1', set(base(), t, null)), t]),
      ['id of 15 bytes', () => tpl('E1', set(base(), 'C0', a('ABCDEFGHIJKLMNO'))), 'C0'],
      ['id not ASCII', () => tpl('E1', set(base(), 'C0', u('PH-É'))), 'C0'],
      ['name invalid UTF-8', () => tpl('E1', set(base(), 'C1', h('C328'))), 'C1'],
      ['role 03', () => tpl('E1', set(base(), 'C2', h('03'))), 'C2'],
      ['role 00', () => tpl('E1', set(base(), 'C2', h('00'))), 'C2'],
      ['valid until 31 April', () => tpl('E1', set(base(), 'C3', a('20300431'))), 'C3'],
      ['valid until with 00 day', () => tpl('E1', set(base(), 'C3', a('20301200'))), 'C3'],
      ['public key of 64 bytes', () => tpl('E1', set(base(), 'C4', pharmacist.publicKey.subarray(1))), 'C4'],
      ['compressed-looking public key', () => tpl('E1', set(base(), 'C4', concat(h('02'), pharmacist.publicKey.subarray(1)))), 'C4'],
      ['signature of 63 bytes', () => tpl('E1', set(base(), 'C5', new Uint8Array(63))), 'C5'],
      ['key id not ASCII', () => tpl('E1', set(base(), 'C6', u('CNAS-É'))), 'C6'],
      ['C2 twice', () => tpl('E1', dup('C2')), 'C2'],
      ['C6 twice', () => tpl('E1', dup('C6')), 'C6'],
      ['more than 255 bytes', () => tpl('E1', set(base(), 'C1', u('x'.repeat(120)))), 'E1'],
      ['wrong template', () => tpl('E2', base()), 'E2'],
      ['truncated', () => tpl('E1', base()).subarray(0, 100), 'E1'],
      ['bytes after the template', () => concat(tpl('E1', base()), h('01')), 'E1'],
    ])('%s → malformed EF.PS', (_n, bytes, tag) => {
      const e = malformedOf(() => decodeProfessionalCertificate(bytes()));
      expect(e.details.file).toBe('EF.PS');
      if (tag !== null) expect(e.details.tag).toBe(tag);
    });

    it('encoder refuses what cannot be encoded', () => {
      const bad = (fn: () => unknown) => expect(fn).toThrow(expect.objectContaining({ code: 'invalid-input' }));
      bad(() => make({ id: 'ABCDEFGHIJKLMNO' }));
      bad(() => make({ validUntil: '2030-02-30' }));
      bad(() => make({ publicKey: new Uint8Array(65) }));
      bad(() => make({ role: 'dentist' as never }));
      bad(() => make({ name: 'x'.repeat(200) }));
      bad(() => encodeProfessionalCertificate(fields, 'CNAS-TEST-2026', new Uint8Array(63)));
    });
  });
});
