// The trust directory verifies with OpenSSL for speed; it must agree with the pure-JS
// verification of the core on every signature, high-S ones included.
import { createPrivateKey, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTrustDirectory, publicKeyFromPem } from '../../src/adapters/keys.ts';
import { verifyP256 } from '../../src/core/card/signature.ts';

const dir = join(import.meta.dirname, '../../data/demo/keys/issuer');
const priv = createPrivateKey(readFileSync(join(dir, 'CNAS-TEST-2026.key.pem'), 'utf8'));
const pub = publicKeyFromPem(readFileSync(join(dir, 'CNAS-TEST-2026.pub.pem'), 'utf8'));
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

describe('native verification of the trust directory', () => {
  const store = loadTrustDirectory(dir);

  it('agrees with pure JS on valid, tampered and high-S signatures', () => {
    let highS = 0;
    for (let i = 0; i < 40; i++) {
      const msg = new TextEncoder().encode(`card image ${i}`);
      const sig = new Uint8Array(sign('sha256', msg, { key: priv, dsaEncoding: 'ieee-p1363' }));
      if (BigInt('0x' + Buffer.from(sig.subarray(32)).toString('hex')) > N / 2n) highS++;
      expect(store.verify!('CNAS-TEST-2026', msg, sig)).toBe(true);
      expect(verifyP256(msg, sig, pub)).toBe(true);
      const tampered = msg.slice();
      tampered[0]! ^= 1;
      expect(store.verify!('CNAS-TEST-2026', tampered, sig)).toBe(false);
      expect(verifyP256(tampered, sig, pub)).toBe(false);
    }
    expect(highS).toBeGreaterThan(0);
  });

  it('refuses an unknown key and a signature of the wrong size without throwing', () => {
    const msg = new Uint8Array([1, 2, 3]);
    expect(store.verify!('NO-SUCH-KEY', msg, new Uint8Array(64))).toBe(false);
    expect(store.verify!('CNAS-TEST-2026', msg, new Uint8Array(63))).toBe(false);
  });
});

describe('remembered verifications', () => {
  it('answer a repeated read from memory, byte for byte, and never confuse a changed byte', () => {
    const store = loadTrustDirectory(dir);
    const msg = new TextEncoder().encode('the same card read again');
    const sig = new Uint8Array(sign('sha256', msg, { key: priv, dsaEncoding: 'ieee-p1363' }));
    for (let i = 0; i < 3; i++) expect(store.verify!('CNAS-TEST-2026', msg, sig)).toBe(true);
    const changed = msg.slice();
    changed[changed.length - 1]! ^= 0x01;
    expect(store.verify!('CNAS-TEST-2026', changed, sig)).toBe(false);
    const badSig = sig.slice();
    badSig[5]! ^= 0x80;
    expect(store.verify!('CNAS-TEST-2026', msg, badSig)).toBe(false);
    // The caller's buffers may be reused: what is remembered is a copy.
    msg[0]! ^= 0x01;
    expect(store.verify!('CNAS-TEST-2026', msg, sig)).toBe(false);
  });
});
