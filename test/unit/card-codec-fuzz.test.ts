/**
 * Hostile cards: 10,000 random and mutated card images must each either decode or fail
 * with `malformed-card-data`, never another exception, and quickly.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChifaError } from '../../src/core/errors.ts';
import { decodeEmergency, decodeIdentity } from '../../src/core/card/decode.ts';
import { encodeEmergency, encodeIdentityFiles, encodeSignatureFile } from '../../src/core/card/encode.ts';
import { decodeHistoryRecord, encodeHistoryRecord } from '../../src/core/card/history.ts';
import { decodeProfessionalCertificate, encodeProfessionalCertificate } from '../../src/core/card/professional.ts';
import { verifyCardSignature } from '../../src/core/card/signature.ts';
import type { CardFiles } from '../../src/core/card/model.ts';
import { arbIdentity, trustOf } from './card-fixtures.ts';
import { rng } from './card-tree.ts';

type Outcome = 'decoded' | 'malformed';

function outcome(fn: () => unknown): Outcome {
  try {
    fn();
    return 'decoded';
  } catch (e) {
    if (e instanceof ChifaError && e.code === 'malformed-card-data') return 'malformed';
    throw new Error(`unexpected exception: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  }
}

function mutate(bytes: Uint8Array, random: () => number): Uint8Array {
  const pick = (n: number) => Math.floor(random() * n);
  let out = bytes.slice();
  const rounds = 1 + pick(4);
  for (let r = 0; r < rounds; r++) {
    const at = pick(out.length + 1);
    switch (pick(7)) {
      case 0: // bit flip
        if (out.length > 0) out[Math.min(at, out.length - 1)]! ^= 1 << pick(8);
        break;
      case 1: // byte replaced
        if (out.length > 0) out[Math.min(at, out.length - 1)] = pick(256);
        break;
      case 2: // truncation
        out = out.slice(0, at);
        break;
      case 3: {
        // insertion
        const ins = Uint8Array.from({ length: 1 + pick(4) }, () => pick(256));
        out = Uint8Array.from([...out.subarray(0, at), ...ins, ...out.subarray(at)]);
        break;
      }
      case 4: // deletion
        out = Uint8Array.from([...out.subarray(0, at), ...out.subarray(at + 1 + pick(3))]);
        break;
      case 5: {
        // a length byte made long, forbidden or wrong
        const forms = [0x80, 0x81, 0x82, 0x83, 0x84, 0xff, 0x00, 0x7f];
        if (out.length > 1) out[1 + pick(out.length - 1)] = forms[pick(forms.length)]!;
        break;
      }
      default: {
        // a slice duplicated (data objects twice)
        const len = pick(12);
        out = Uint8Array.from([...out.subarray(0, at), ...out.subarray(at, at + len), ...out.subarray(at)]);
      }
    }
  }
  return out;
}

const KEYS = ['icc', 'holder', 'rights', 'beneficiaries'] as const;
const TIME_LIMIT_MS = 20_000;

describe('fuzz: random and mutated card images', () => {
  it('10,000 images: decoded or malformed-card-data, never anything else, within the time bound', () => {
    const counts: Record<Outcome, number> = { decoded: 0, malformed: 0 };
    let slowest = 0;
    const start = performance.now();
    const run = (files: CardFiles) => {
      const t0 = performance.now();
      counts[outcome(() => decodeIdentity(files))]++;
      slowest = Math.max(slowest, performance.now() - t0);
    };

    // 5,000 mutations of valid encodings: one to four files mutated, one to four times each.
    fc.assert(
      fc.property(arbIdentity, fc.integer(), (id, seed) => {
        const random = rng(seed);
        const files: CardFiles = { ...encodeIdentityFiles(id), signature: null };
        const always = KEYS[Math.floor(random() * KEYS.length)]!;
        for (const k of KEYS) if (k === always || random() < 0.2) files[k] = mutate(files[k], random);
        run(files);
      }),
      { numRuns: 5000 },
    );

    // 5,000 random images: pure noise, and noise behind the right template tag.
    const tags = [0xe1, 0xe2, 0xe3, 0xe4];
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { minLength: 4, maxLength: 4 }), fc.boolean(), (parts, tagged) => {
        const files = Object.fromEntries(
          KEYS.map((k, i) => [k, tagged ? Uint8Array.from([tags[i]!, ...parts[i]!]) : parts[i]!]),
        ) as unknown as CardFiles;
        run({ ...files, signature: null });
      }),
      { numRuns: 5000 },
    );

    const elapsed = performance.now() - start;
    expect(counts.decoded + counts.malformed).toBe(10_000);
    // Mutations must mostly be caught, and some (e.g. in a text byte) must still decode.
    expect(counts.malformed).toBeGreaterThan(5_000);
    expect(counts.decoded).toBeGreaterThan(20);
    expect(elapsed).toBeLessThan(TIME_LIMIT_MS);
    expect(slowest).toBeLessThan(1_000);
  });

  it('emergency, history, EF.PS and EF.SIGNATURE decoders under mutation', () => {
    const random = rng(20260101);
    const emergency = encodeEmergency({ bloodGroup: 'AB-', allergies: 'Pénicilline', emergencyContact: '0555', notes: 'سكري' });
    const history = encodeHistoryRecord({
      date: '2026-03-01',
      pharmacy: 'PH-16-00042',
      beneficiary: 1,
      claimId: '0190e0a4-8c3b-7cde-9f00-112233445566',
      total: 123456,
      fund: 98765,
      items: 3,
    });
    const ps = encodeProfessionalCertificate(
      { id: 'PH-TEST-0001', name: 'Pharmacie Centrale', role: 'pharmacist', validUntil: '2030-12-31', publicKey: Uint8Array.from({ length: 65 }, (_, i) => (i === 0 ? 4 : i)) },
      'CNAS-TEST-2026',
      new Uint8Array(64),
    );
    const files: CardFiles = { ...encodeIdentityFiles(fc.sample(arbIdentity, { numRuns: 1, seed: 7 })[0]!), signature: encodeSignatureFile('CNAS-TEST-2026', new Uint8Array(64)) };
    const trust = trustOf({ 'CNAS-TEST-2026': Uint8Array.from({ length: 65 }, (_, i) => (i === 0 ? 4 : 1)) });
    const seen = { emergency: new Set<Outcome>(), history: new Set<Outcome>(), ps: new Set<Outcome>() };
    for (let i = 0; i < 1500; i++) {
      seen.emergency.add(outcome(() => decodeEmergency(mutate(emergency, random))));
      seen.history.add(outcome(() => decodeHistoryRecord(mutate(history, random))));
      seen.ps.add(outcome(() => decodeProfessionalCertificate(mutate(ps, random))));
      if (i < 300) {
        const sig = verifyCardSignature({ ...files, signature: mutate(files.signature!, random) }, trust);
        expect(['valid', 'invalid', 'untrusted-key']).toContain(sig.status);
        expect(sig.status).not.toBe('valid');
      }
    }
    for (const s of Object.values(seen)) expect([...s].sort()).toEqual(['decoded', 'malformed']);
  });
});
