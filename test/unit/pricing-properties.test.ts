/** Properties of pricing over random cards, catalogs and prescriptions (fast-check). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pricePrescription, type PricingResult } from '../../src/core/pricing/prescription.ts';
import type { PrescriptionLine } from '../../src/core/pricing/input.ts';
import { REASON_CODES } from '../../src/core/pricing/reasons.ts';
import { arbInput, FakeCatalog, line } from './pricing-fixtures.ts';

type Input = typeof arbInput extends fc.Arbitrary<infer T> ? T : never;

function run(i: Input, lines: PrescriptionLine[] = i.lines, lang: 'fr' | 'ar' | 'en' = 'en'): PricingResult {
  return pricePrescription({
    card: i.card,
    beneficiary: i.beneficiary,
    day: i.day,
    lines,
    catalog: new FakeCatalog(Object.entries(i.products)),
    settings: { nonChronicCeiling: i.ceiling, chronicRate: 10000 },
    lang,
  });
}

const RUNS = { numRuns: 1500 };

describe('pricing properties', () => {
  it('every priced line: fund + patient = PPA × quantity, 0 ≤ fund ≤ base × quantity, base ≤ PPA', () => {
    fc.assert(
      fc.property(arbInput, (i) => {
        for (const l of run(i).lines) {
          if (l.ppa === null) {
            expect([l.base, l.rate, l.fund, l.patient]).toEqual([null, null, null, null]);
            continue;
          }
          expect(l.fund! + l.patient!).toBe(l.ppa * l.quantity);
          expect(l.fund!).toBeGreaterThanOrEqual(0);
          expect(l.fund!).toBeLessThanOrEqual(l.base! * l.quantity);
          expect(l.base!).toBeLessThanOrEqual(l.ppa);
          expect(l.patient!).toBeGreaterThanOrEqual(0);
          for (const v of [l.ppa, l.base, l.fund, l.patient]) expect(Number.isSafeInteger(v)).toBe(true);
          if (!l.reimbursable) expect([l.base, l.rate, l.fund]).toEqual([0, null, 0]);
          else {
            expect(l.rate).not.toBeNull();
            // The share is exactly base × quantity × rate / 10000 rounded half up.
            const exact = BigInt(l.base!) * BigInt(l.quantity) * BigInt(l.rate!);
            expect(BigInt(l.fund!)).toBe((exact + 5000n) / 10000n);
          }
        }
      }),
      RUNS,
    );
  });

  it('lines keep the input order, product and quantity', () => {
    fc.assert(
      fc.property(arbInput, (i) => {
        const r = run(i);
        expect(r.lines.map((l) => [l.product, l.quantity])).toEqual(i.lines.map((l) => [l.product, l.quantity]));
      }),
      RUNS,
    );
  });

  it('totals are consistent with the lines and with third-party payment', () => {
    fc.assert(
      fc.property(arbInput, (i) => {
        const r = run(i);
        const priced = r.lines.filter((l) => l.ppa !== null);
        const price = priced.reduce((s, l) => s + l.ppa! * l.quantity, 0);
        const fund = priced.reduce((s, l) => s + l.fund!, 0);
        expect(r.totals.price).toBe(price);
        expect(r.totals.fund).toBe(r.thirdPartyPayment ? fund : 0);
        expect(r.totals.patient).toBe(r.totals.price - r.totals.fund);
      }),
      RUNS,
    );
  });

  it('reasons: known codes, sorted, each once, empty exactly when third-party payment applies', () => {
    fc.assert(
      fc.property(arbInput, (i) => {
        const r = run(i);
        const c = r.reasons.map((x) => x.code);
        expect([...c].sort()).toEqual(c);
        expect(new Set(c).size).toBe(c.length);
        for (const code of c) expect(REASON_CODES).toContain(code);
        expect(r.thirdPartyPayment).toBe(c.length === 0);
        for (const x of r.reasons) expect(x.message.length).toBeGreaterThan(0);
        // Unknown products and prices are refused, each reason iff such a line exists.
        expect(c.includes('unknown-product')).toBe(r.lines.some((l) => l.registration === null));
        expect(c.includes('unknown-price')).toBe(r.lines.some((l) => l.registration !== null && l.ppa === null));
      }),
      RUNS,
    );
  });

  it('the refusals about the card and the person are exactly those that hold', () => {
    let payable = 0;
    fc.assert(
      fc.property(arbInput, (i) => {
        const r = run(i);
        const c = i.card;
        const expected = new Set<string>();
        if (c.signature.status === 'invalid') expected.add('signature-invalid');
        if (c.signature.status === 'untrusted-key') expected.add('signature-untrusted-key');
        if (c.rights.status === 'suspended') expected.add('rights-suspended');
        if (i.day < c.rights.validFrom) expected.add('rights-not-yet-valid');
        if (i.day > c.rights.validTo) expected.add('rights-expired');
        if (i.day > c.card.expires) expected.add('card-expired');
        if (!c.rights.thirdPartyPayment) expected.add('third-party-payment-not-allowed');
        if (i.beneficiary !== 0 && !c.beneficiaries.some((b) => b.index === i.beneficiary)) expected.add('unknown-beneficiary');
        const cardCodes = r.reasons.map((x) => x.code).filter((code) => !['unknown-product', 'unknown-price', 'non-chronic-ceiling-exceeded'].includes(code));
        expect(cardCodes).toEqual([...expected].sort());
        if (r.thirdPartyPayment) payable++;
      }),
      RUNS,
    );
    // The generators do reach prescriptions that are paid by the fund.
    expect(payable).toBeGreaterThan(0);
  });

  it('the ceiling reason holds exactly when the non-chronic reimbursable total exceeds it', () => {
    fc.assert(
      fc.property(arbInput, (i) => {
        const r = run(i);
        const nonChronic = r.lines.filter((l) => l.reimbursable && l.ppa !== null && !l.notes.some((n) => n.code === 'chronic-100')).reduce((s, l) => s + l.ppa! * l.quantity, 0);
        const exceeded = i.ceiling !== null && nonChronic > i.ceiling;
        expect(r.reasons.some((x) => x.code === 'non-chronic-ceiling-exceeded')).toBe(exceeded);
      }),
      RUNS,
    );
  });

  it('100 % never gives less fund than 80 % for the same line', () => {
    fc.assert(
      fc.property(arbInput, (i) => {
        fc.pre(i.lines.length > 0);
        const base = i.card;
        const at = (rate: number) => {
          const card = structuredClone(base);
          card.holder.rate = rate;
          return run({ ...i, card, beneficiary: 0 });
        };
        const r80 = at(8000);
        const r100 = at(10000);
        r80.lines.forEach((l, k) => {
          const m = r100.lines[k]!;
          if (l.fund !== null) expect(m.fund!).toBeGreaterThanOrEqual(l.fund);
        });
      }),
      RUNS,
    );
  });

  it('a higher rate never lowers a fund share (monotone in the rate)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e9 }), fc.option(fc.integer({ min: 1, max: 1e9 }), { nil: null }), fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 0, max: 10000 }), fc.integer({ min: 0, max: 10000 }), (ppa, tariff, quantity, a, b) => {
        const fundAt = (rate: number) => {
          const i: Input = { card: cardWithRate(rate), beneficiary: 0, day: '2026-03-15', lines: [line('P', { quantity })], products: { P: { registration: 'P', name: 'P', ppa, tariff, reimbursable: true } }, ceiling: null };
          return run(i).lines[0]!.fund!;
        };
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(fundAt(hi)).toBeGreaterThanOrEqual(fundAt(lo));
      }),
      { numRuns: 500 },
    );
  });

  it('the language changes messages only', () => {
    fc.assert(
      fc.property(arbInput, (i) => {
        const strip = (r: PricingResult) => JSON.stringify(r, (k, v) => (k === 'message' ? undefined : v));
        const fr = run(i, i.lines, 'fr');
        expect(strip(run(i, i.lines, 'ar'))).toBe(strip(fr));
        expect(strip(run(i, i.lines, 'en'))).toBe(strip(fr));
      }),
      { numRuns: 300 },
    );
  });

  it('pricing is pure: same input, same document; the input is left as it was', () => {
    fc.assert(
      fc.property(arbInput, (i) => {
        const before = JSON.stringify(i);
        expect(run(i)).toEqual(run(i));
        expect(JSON.stringify(i)).toBe(before);
      }),
      { numRuns: 300 },
    );
  });
});

function cardWithRate(rate: number) {
  return {
    profileVersion: 1 as const,
    card: { serial: '00', fund: 'CNAS', agency: null, issued: '2024-01-01', expires: '2030-01-01', type: 'family' as const },
    holder: { nss: '0', surname: 'A', givenNames: 'B', surnameAr: null, givenNamesAr: null, birthDate: '1950-00-00', sex: 'M' as const, wilaya: null, status: 'employee' as const, rate, chronicConditions: [] },
    rights: { validFrom: '2026-01-01', validTo: '2026-12-31', status: 'active' as const, defaultRate: 8000, thirdPartyPayment: true },
    beneficiaries: [],
    emergency: null,
    history: null,
    signature: { keyId: 'K', status: 'valid' as const },
  };
}
