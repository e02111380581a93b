/** The professional key emulator (card-profile.md §4): SELECT, EF.PS, PIN, prehashed signature. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { p256 } from '@noble/curves/nist.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { concat, fromHex, hex } from '../../src/core/bytes.ts';
import { decodeProfessionalCertificate, encodeProfessionalCertificate } from '../../src/core/card/professional.ts';
import { INSURED_AID, PROFESSIONAL_AID } from '../../src/core/card/profile.ts';
import { signP256, verifyDigest, verifyP256 } from '../../src/core/card/signature.ts';
import { privateKeyFromPem, publicKeyFromPem } from '../../src/adapters/keys.ts';
import { ProfessionalKeyEmulator } from '../../src/emulator/professional-key.ts';
import type { FaultOptions } from '../../src/emulator/virtual-card.ts';

const KEYS = join(import.meta.dirname, '../../data/demo/keys');
const pem = (p: string) => readFileSync(join(KEYS, p), 'utf8');
const ISSUER_PRIV = privateKeyFromPem(pem('issuer/CNAS-TEST-2026.key.pem'));
const ISSUER_PUB = publicKeyFromPem(pem('issuer/CNAS-TEST-2026.pub.pem'));
const PH_PRIV = privateKeyFromPem(pem('professional/PH-TEST-0001.key.pem'));
const PH_PUB = publicKeyFromPem(pem('professional/PH-TEST-0001.pub.pem'));

const efPs = encodeProfessionalCertificate(
  { id: 'PH-TEST-0001', name: 'Pharmacie Centrale', role: 'pharmacist', validUntil: '2030-12-31', publicKey: PH_PUB },
  'CNAS-TEST-2026',
  (m) => signP256(m, ISSUER_PRIV),
);

const key = (faults: FaultOptions = {}, padTo = 0) =>
  new ProfessionalKeyEmulator(
    { efPs: padTo ? concat(efPs, new Uint8Array(padTo - efPs.length).fill(0xff)) : efPs, privateKey: PH_PRIV, pin: '4321' },
    faults,
  );

function tx(c: ProfessionalKeyEmulator, apdu: string | Uint8Array): { data: string; sw: string } {
  const r = c.process(typeof apdu === 'string' ? fromHex(apdu) : apdu);
  return { data: hex(r.subarray(0, r.length - 2), true), sw: hex(r.subarray(r.length - 2), true) };
}
const sw = (c: ProfessionalKeyEmulator, apdu: string | Uint8Array) => tx(c, apdu).sw;

const SELECT_PS = '00A4040C09' + hex(PROFESSIONAL_AID, true);
const SELECT_INSURED = '00A4040C07' + hex(INSURED_AID, true);
const PIN = '002000810834333231FFFFFFFF';
const WRONG = '002000810830303030FFFFFFFF';
const digest = sha256(new TextEncoder().encode('R‖serial'));
const PSO_CDS = concat(fromHex('002A9E9A20'), digest, fromHex('00'));

describe('professional key', () => {
  it('answers 69 85 before SELECT and 6A 82 to the insured AID', () => {
    const k = key();
    expect(sw(k, '00B0810000')).toBe('6985');
    expect(sw(k, PIN)).toBe('6985');
    expect(sw(k, PSO_CDS)).toBe('6985');
    expect(sw(k, SELECT_INSURED)).toBe('6A82');
    expect(sw(k, SELECT_PS)).toBe('9000');
    expect(sw(k, SELECT_INSURED)).toBe('6A82');
    expect(sw(k, '00B0810000')).toBe('6282'); // selection kept
  });

  it('EF.PS by SFI 01 is always readable, exactly as stored', () => {
    const k = key();
    sw(k, SELECT_PS);
    expect(tx(k, '00B0810000')).toEqual({ data: hex(efPs, true), sw: '6282' });
    expect(tx(k, '00B0000400')).toEqual({ data: hex(efPs.subarray(4), true), sw: '6282' });
    expect(sw(k, '00B0820000')).toBe('6A82');
    const cert = decodeProfessionalCertificate(efPs);
    expect(cert.role).toBe('pharmacist');
    expect(verifyP256(cert.signedBytes, cert.fundSignature, ISSUER_PUB)).toBe(true);
  });

  it('EF.PS padded to 255 bytes reads with 90 00 at Le 255', () => {
    const k = key({}, 255);
    sw(k, SELECT_PS);
    expect(tx(k, '00B08100FF').sw).toBe('9000');
    expect(tx(k, '00B0810000').sw).toBe('6282');
  });

  it('PSO COMPUTE DIGITAL SIGNATURE: 69 82 before the PIN, then a signature of the digest as given', () => {
    const k = key();
    sw(k, SELECT_PS);
    expect(sw(k, PSO_CDS)).toBe('6982');
    expect(sw(k, PIN)).toBe('9000');
    const r = tx(k, PSO_CDS);
    expect(r.sw).toBe('9000');
    expect(r.data).toHaveLength(128);
    const s = fromHex(r.data);
    expect(verifyDigest(digest, s, PH_PUB)).toBe(true);
    // Prehashed: not a signature over SHA-256(digest).
    expect(verifyP256(digest, s, PH_PUB)).toBe(false);
    expect(p256.verify(s, digest, PH_PUB, { prehash: false, lowS: false })).toBe(true);
    expect(k.signatures).toBe(1);
  });

  it('PSO COMPUTE DIGITAL SIGNATURE shapes: Lc must be 20 and Le present; Le 40 works, shorter is 6C 40', () => {
    const k = key();
    sw(k, SELECT_PS);
    sw(k, PIN);
    expect(sw(k, concat(fromHex('002A9E9A1F'), digest.subarray(1), fromHex('00')))).toBe('6700');
    expect(sw(k, concat(fromHex('002A9E9A20'), digest))).toBe('6700');
    expect(sw(k, concat(fromHex('002A9E9A20'), digest, fromHex('40')))).toBe('9000');
    expect(sw(k, concat(fromHex('002A9E9A20'), digest, fromHex('20')))).toBe('6C40');
    expect(sw(k, concat(fromHex('002A00BE20'), digest))).toBe('6A86');
  });

  it('the PIN: 63 C2, 63 C1, 69 83; the verification dies on SELECT and reset', () => {
    const k = key();
    sw(k, SELECT_PS);
    expect(sw(k, '00200081')).toBe('63C3');
    expect(sw(k, PIN)).toBe('9000');
    expect(sw(k, '00200081')).toBe('9000');
    sw(k, SELECT_PS);
    expect(sw(k, PSO_CDS)).toBe('6982');
    sw(k, PIN);
    k.reset();
    sw(k, SELECT_PS);
    expect(sw(k, PSO_CDS)).toBe('6982');
    expect(sw(k, WRONG)).toBe('63C2');
    expect(sw(k, WRONG)).toBe('63C1');
    expect(sw(k, WRONG)).toBe('6983');
    expect(sw(k, PIN)).toBe('6983');
    expect(sw(k, PSO_CDS)).toBe('6982');
    expect(k.pinTriesLeft).toBe(0);
  });

  it('insured-card commands are unknown here: 6D 00; CLA ≠ 00: 6E 00', () => {
    const k = key();
    sw(k, SELECT_PS);
    expect(sw(k, '0084000008')).toBe('6D00');
    expect(sw(k, '00B2013400')).toBe('6D00');
    expect(sw(k, '80A4040C09' + hex(PROFESSIONAL_AID))).toBe('6E00');
  });

  it('chunked: the signature comes through GET RESPONSE', () => {
    const k = key({ chunked: 32 });
    sw(k, SELECT_PS);
    sw(k, PIN);
    expect(tx(k, PSO_CDS)).toEqual({ data: '', sw: '6120' });
    const a = tx(k, '00C0000020');
    const b = tx(k, '00C0000020');
    expect([a.sw, b.sw]).toEqual(['6120', '9000']);
    expect(verifyDigest(digest, fromHex(a.data + b.data), PH_PUB)).toBe(true);
  });

  it('exactLe: 6C 40 for Le 00, then the signature with Le 40', () => {
    const k = key({ exactLe: true });
    sw(k, SELECT_PS);
    sw(k, PIN);
    expect(sw(k, PSO_CDS)).toBe('6C40');
    const r = tx(k, concat(fromHex('002A9E9A20'), digest, fromHex('40')));
    expect(r.sw).toBe('9000');
    expect(verifyDigest(digest, fromHex(r.data), PH_PUB)).toBe(true);
  });
});
