import { sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { concat, hex, uintBE, utf8 } from '../../src/core/bytes.ts';
import { encodeTlv } from '../../src/core/tlv.ts';
import { decodeIdentity } from '../../src/core/card/decode.ts';
import { encodeIdentityFiles, encodeSignatureFile } from '../../src/core/card/encode.ts';
import type { CardFiles } from '../../src/core/card/model.ts';
import {
  signDigest,
  signedMessage,
  signP256,
  verifyCardSignature,
  verifyDigest,
  verifyP256,
} from '../../src/core/card/signature.ts';
import { h, keysSkip, keysSkipNote, testKey, sampleIdentity, trustOf } from './card-fixtures.ts';
import { encodeTree, parseTree } from './card-tree.ts';

const N = BigInt('0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551');
const isHighS = (sig: Uint8Array): boolean => BigInt('0x' + hex(sig.subarray(32))) > N / 2n;


describe.skipIf(keysSkip)(`issuer signature (EF.SIGNATURE) with the CNAS-TEST-2026 test key${keysSkipNote}`, () => {
  const issuer = testKey('issuer', 'CNAS-TEST-2026');
  const trust = () => trustOf({ 'CNAS-TEST-2026': issuer.publicKey });

  function signedCard(): CardFiles {
    const files = encodeIdentityFiles(sampleIdentity());
    const sig = signP256(signedMessage(files), issuer.privateKey);
    return { ...files, signature: encodeSignatureFile('CNAS-TEST-2026', sig) };
  }

  it('a card signed with the test key is valid', () => {
    expect(verifyCardSignature(signedCard(), trust())).toEqual({ keyId: 'CNAS-TEST-2026', status: 'valid' });
  });

  it('the signed message is the four templates in order, padding excluded', () => {
    const f = signedCard();
    expect(signedMessage(f)).toEqual(concat(f.icc, f.holder, f.rights, f.beneficiaries));
    const padded = { ...f, rights: concat(f.rights, h('FFFF00')) };
    expect(signedMessage(padded)).toEqual(signedMessage(f));
    expect(verifyCardSignature(padded, trust()).status).toBe('valid');
  });

  it('a signature made by node:crypto (OpenSSL) verifies, high-S ones included', () => {
    const msg = signedMessage(signedCard());
    let high = 0;
    for (let i = 0; i < 40 && high < 3; i++) {
      const sig = new Uint8Array(nodeSign('sha256', msg, { key: issuer.nodePrivate, dsaEncoding: 'ieee-p1363' }));
      expect(sig.length).toBe(64);
      expect(verifyP256(msg, sig, issuer.publicKey)).toBe(true);
      if (isHighS(sig)) {
        high++;
        const card = { ...signedCard(), signature: encodeSignatureFile('CNAS-TEST-2026', sig) };
        expect(verifyCardSignature(card, trust()).status).toBe('valid');
      }
    }
    expect(high).toBeGreaterThan(0);
  });

  it('signP256 and signDigest make signatures node:crypto accepts', () => {
    const msg = utf8('SELECT 00A4040C07F0434849464101');
    const a = signP256(msg, issuer.privateKey);
    const b = signDigest(sha256(msg), issuer.privateKey);
    for (const sig of [a, b]) {
      expect(sig.length).toBe(64);
      expect(nodeVerify('sha256', msg, { key: issuer.nodePublic, dsaEncoding: 'ieee-p1363' }, sig)).toBe(true);
      expect(verifyDigest(sha256(msg), sig, issuer.publicKey)).toBe(true);
    }
    // the digest is signed as is, not hashed again
    expect(verifyP256(sha256(msg), b, issuer.publicKey)).toBe(false);
  });

  it('one changed byte in any identity file makes it invalid, though the data still decodes', () => {
    const good = signedCard();
    // one byte each, still well formed: CNAS→CNAs, BENALI→BENALi, rate 1F40→1F41, FATIMA→FATIMa
    const edits = { icc: 'CNAS', holder: 'BENALI', rights: '\x1F\x40', beneficiaries: 'FATIMA' } as const;
    for (const k of ['icc', 'holder', 'rights', 'beneficiaries'] as const) {
      const bytes = good[k].slice();
      const needle = edits[k];
      const at = Buffer.from(bytes).indexOf(Buffer.from(needle, 'latin1')) + needle.length - 1;
      expect(at).toBeGreaterThan(0);
      bytes[at] = bytes[at]! ^ (k === 'rights' ? 0x01 : 0x20);
      const tampered = { ...good, [k]: bytes };
      expect(() => decodeIdentity(tampered)).not.toThrow();
      expect(verifyCardSignature(tampered, trust())).toEqual({ keyId: 'CNAS-TEST-2026', status: 'invalid' });
    }
  });

  it('covers the bytes as read: the same data with a longer length form is invalid', () => {
    const good = signedCard();
    const longer = encodeTree(parseTree(good.holder), { lengthForm: () => 1 });
    expect(longer.length).toBeGreaterThan(good.holder.length);
    const card = { ...good, holder: longer };
    expect(decodeIdentity(card)).toEqual(decodeIdentity(good));
    expect(verifyCardSignature(card, trust()).status).toBe('invalid');
  });

  it('an unknown key is untrusted-key, with its identifier', () => {
    const card = signedCard();
    expect(verifyCardSignature(card, trustOf({}))).toEqual({ keyId: 'CNAS-TEST-2026', status: 'untrusted-key' });
    const other = { ...card, signature: encodeSignatureFile('CNAS-PROD-2026', signP256(signedMessage(card), issuer.privateKey)) };
    expect(verifyCardSignature(other, trust())).toEqual({ keyId: 'CNAS-PROD-2026', status: 'untrusted-key' });
  });

  it.each(['../CNAS-TEST-2026', 'CNAS/TEST', 'a'.repeat(65), '', 'CNAS TEST', 'CNAS-TEST-2026\\'])(
    'key id %j outside the pattern is untrusted-key, without asking the store',
    (keyId) => {
      const card = signedCard();
      const store = trustOf({ [keyId]: issuer.publicKey, 'CNAS-TEST-2026': issuer.publicKey });
      const withId = { ...card, signature: encodeSignatureFile(keyId, signP256(signedMessage(card), issuer.privateKey)) };
      expect(verifyCardSignature(withId, store)).toEqual({ keyId, status: 'untrusted-key' });
      expect(store.asked).toEqual([]);
    },
  );

  it('a non-ASCII key id is read and untrusted', () => {
    const card = signedCard();
    const sig = signP256(signedMessage(card), issuer.privateKey);
    const eb = encodeTlv('EB', concat(encodeTlv('C0', utf8('CNAS-É')), h('C10101'), encodeTlv('C2', sig)));
    expect(verifyCardSignature({ ...card, signature: eb }, trust())).toEqual({ keyId: 'CNAS-É', status: 'untrusted-key' });
  });

  it('a 64-character key id is inside the pattern and looked up', () => {
    const keyId = 'K'.repeat(64);
    const card = signedCard();
    const store = trustOf({ [keyId]: issuer.publicKey });
    const withId = { ...card, signature: encodeSignatureFile(keyId, signP256(signedMessage(card), issuer.privateKey)) };
    expect(verifyCardSignature(withId, store)).toEqual({ keyId, status: 'valid' });
    expect(store.asked).toEqual([keyId]);
  });

  describe('invalid EF.SIGNATURE', () => {
    const good = () => signedCard();
    const sig = () => signP256(signedMessage(good()), issuer.privateKey);
    const withSig = (signature: Uint8Array | null) => ({ ...good(), signature });
    const eb = (...parts: Uint8Array[]) => encodeTlv('EB', concat(...parts));
    const c0 = encodeTlv('C0', utf8('CNAS-TEST-2026'));

    it.each<[string, () => Uint8Array | null, string | null]>([
      ['missing file', () => null, null],
      ['C1 = 02', () => encodeSignatureFile('CNAS-TEST-2026', sig(), 2), 'CNAS-TEST-2026'],
      ['C1 = 00', () => encodeSignatureFile('CNAS-TEST-2026', sig(), 0), 'CNAS-TEST-2026'],
      ['C1 of 2 bytes', () => eb(c0, h('C1020001'), encodeTlv('C2', sig())), 'CNAS-TEST-2026'],
      ['no C1', () => eb(c0, encodeTlv('C2', sig())), 'CNAS-TEST-2026'],
      ['C2 of 63 bytes', () => encodeSignatureFile('CNAS-TEST-2026', sig().subarray(0, 63)), 'CNAS-TEST-2026'],
      ['C2 of 65 bytes', () => encodeSignatureFile('CNAS-TEST-2026', concat(sig(), h('00'))), 'CNAS-TEST-2026'],
      ['C2 in DER', () => encodeSignatureFile('CNAS-TEST-2026', derOf(sig())), 'CNAS-TEST-2026'],
      ['no C2', () => eb(c0, h('C10101')), 'CNAS-TEST-2026'],
      ['C2 twice', () => eb(c0, h('C10101'), encodeTlv('C2', sig()), encodeTlv('C2', sig())), 'CNAS-TEST-2026'],
      ['no C0', () => eb(h('C10101'), encodeTlv('C2', sig())), null],
      ['C0 twice', () => eb(c0, c0, h('C10101'), encodeTlv('C2', sig())), null],
      ['C0 not UTF-8', () => eb(h('C002C328'), h('C10101'), encodeTlv('C2', sig())), null],
      ['wrong template', () => encodeTlv('E1', encodeSignatureFile('CNAS-TEST-2026', sig()).subarray(2)), null],
      ['garbage', () => h('EB05C0'), null],
      ['empty', () => new Uint8Array(0), null],
      ['length form 83', () => concat(h('EB83000048'), encodeSignatureFile('CNAS-TEST-2026', sig()).subarray(2)), null],
      ['signature of other data', () => encodeSignatureFile('CNAS-TEST-2026', signP256(utf8('other'), issuer.privateKey)), 'CNAS-TEST-2026'],
      ['zero signature', () => encodeSignatureFile('CNAS-TEST-2026', new Uint8Array(64)), 'CNAS-TEST-2026'],
    ])('%s → invalid', (_n, file, keyId) => {
      expect(verifyCardSignature(withSig(file()), trust())).toEqual({ keyId, status: 'invalid' });
    });

    it('unknown tags and filler in EB are ignored', () => {
      const file = eb(h('DF0100'), c0, h('00FF'), h('C10101'), h('CA00'), encodeTlv('C2', sig()));
      expect(verifyCardSignature(withSig(file), trust())).toEqual({ keyId: 'CNAS-TEST-2026', status: 'valid' });
    });

    it('a trust store that throws or returns junk does not make verification throw', () => {
      const card = good();
      expect(verifyCardSignature(card, { publicKey: () => { throw new Error('disk'); } })).toEqual({ keyId: 'CNAS-TEST-2026', status: 'untrusted-key' });
      expect(verifyCardSignature(card, { publicKey: () => new Uint8Array(3) })).toEqual({ keyId: 'CNAS-TEST-2026', status: 'invalid' });
      expect(verifyCardSignature({ ...card, icc: undefined as never }, trust()).status).toBe('invalid');
    });
  });

  it('verifyP256 returns false, never throws, on junk', () => {
    const msg = utf8('x');
    const s = signP256(msg, issuer.privateKey);
    const offCurve = concat(h('04'), new Uint8Array(64).fill(1));
    expect(verifyP256(msg, s, offCurve)).toBe(false);
    expect(verifyP256(msg, s, issuer.publicKey.subarray(1))).toBe(false);
    expect(verifyP256(msg, s.subarray(1), issuer.publicKey)).toBe(false);
    expect(verifyP256(msg, new Uint8Array(64).fill(0xff), issuer.publicKey)).toBe(false);
    expect(verifyDigest(new Uint8Array(31), s, issuer.publicKey)).toBe(false);
    expect(verifyP256(msg, s, issuer.publicKey)).toBe(true);
  });
});

/** DER form of an r‖s signature (what must never be on a card). */
function derOf(sig: Uint8Array): Uint8Array {
  const int = (b: Uint8Array) => {
    let v = b;
    while (v.length > 1 && v[0] === 0 && v[1]! < 0x80) v = v.subarray(1);
    if (v[0]! >= 0x80) v = concat(h('00'), v);
    return encodeTlv('02', v);
  };
  const out = encodeTlv('30', concat(int(sig.subarray(0, 32)), int(sig.subarray(32))));
  expect(uintBE(out.subarray(0, 1))).toBe(0x30);
  return out;
}
