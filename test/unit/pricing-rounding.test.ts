/** Fund share = base × quantity × rate / 10000, rounded half up to the centime, exact at any magnitude. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isChifaError } from '../../src/core/errors.ts';
import { fundShare, fundShareBig, plus, times } from '../../src/core/pricing/rounding.ts';
import { formatAmount, formatRate } from '../../src/core/pricing/format.ts';
import { catalog, codes, line, price, product } from './pricing-fixtures.ts';

describe('half up to the centime', () => {
  it.each([
    // base, quantity, rate, fund, rounded
    [31300, 1, 8000, 25040, false],
    [31300, 1, 10000, 31300, false],
    [3, 1, 5, 0, true], // 0.0015 centime
    [1, 1, 5000, 1, true], // exactly half a centime: up
    [1, 1, 4999, 0, true],
    [1, 1, 5001, 1, true],
    [3, 1, 5000, 2, true], // 1.5 → 2
    [5, 1, 5000, 3, true], // 2.5 → 3 (not banker's rounding)
    [1001, 1, 8000, 801, true], // 800.8
    [1003, 1, 8000, 802, true], // 802.4
    [12345, 1, 8000, 9876, false],
    [12347, 1, 8000, 9878, true], // 9877.6
    [625, 1, 8000, 500, false],
    [1, 1, 0, 0, false],
    [0, 5, 8000, 0, false],
    [31300, 3, 8000, 75120, false],
    [33, 3, 8333, 82, true], // 82.49…
    [3, 5, 3333, 5, true], // 4.9995
  ])('%i × %i × %i / 10000 → %i', (base, qty, rate, fund, rounded) => {
    expect(fundShare(base, qty, rate)).toEqual({ fund, rounded });
    expect(fundShareBig(base, qty, rate)).toEqual({ fund, rounded });
  });

  it('beyond 2^53 the share is still exact', () => {
    // base × quantity is just past 2^53, where floats stop holding every integer.
    const base = 2 ** 53 / 8 + 1; // exactly representable
    expect(fundShare(base, 8, 8000)).toEqual(fundShareBig(BigInt(base), 8n, 8000n));
    expect(fundShare(base, 8, 8000).fund).toBe(Number((BigInt(base) * 8n * 8000n + 5000n) / 10000n));
    // A product that floats would round: 900719925474099 × 10 × 9999.
    const n = 900719925474099n * 10n * 9999n;
    expect(fundShare(900719925474099, 10, 9999).fund).toBe(Number((n + 5000n) / 10000n));
  });

  it('the fast path equals the BigInt reference everywhere', () => {
    const int = fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 1e9 }), fc.maxSafeNat());
    fc.assert(
      fc.property(int, fc.integer({ min: 1, max: 1e6 }), fc.integer({ min: 0, max: 10000 }), (base, qty, rate) => {
        const exact = BigInt(base) * BigInt(qty) * BigInt(rate);
        const expected = (exact + 5000n) / 10000n;
        if (expected > BigInt(Number.MAX_SAFE_INTEGER)) {
          expect(() => fundShare(base, qty, rate)).toThrow(/exceeds/);
          return;
        }
        const r = fundShare(base, qty, rate);
        expect(r.fund).toBe(Number(expected));
        expect(r.rounded).toBe(exact % 10000n !== 0n);
      }),
      { numRuns: 3000 },
    );
  });

  it('amounts beyond what JSON holds exactly are invalid input, never rounded', () => {
    expect(times(2 ** 40, 2 ** 10, 'x')).toBe(2 ** 50);
    expect(plus(2 ** 52, 2 ** 52 - 1, 'x')).toBe(2 ** 53 - 1);
    let err: unknown;
    try {
      times(2 ** 40, 2 ** 20, 'line 1: PPA × quantity');
    } catch (e) {
      err = e;
    }
    expect(isChifaError(err, 'invalid-input')).toBe(true);
    expect(() => price({ lines: [line('LOPRIL', { quantity: 2 ** 50 })] })).toThrow(/line 1/);
  });

  it('a rounded share says so in the line notes', () => {
    const l = price({ catalog: catalog({ P: product({ registration: 'P', ppa: 1001 }) }), lines: [line('P')] }).lines[0]!;
    expect([l.fund, l.patient]).toEqual([801, 200]);
    expect(codes(l.notes)).toContain('fund-rounded');
    expect(codes(price().lines[0]!.notes)).not.toContain('fund-rounded');
  });
});

describe('formatting', () => {
  it('amounts', () => {
    expect(formatAmount(123456, 'fr')).toBe('1 234,56 DA');
    expect(formatAmount(123456, 'en')).toBe('1,234.56 DA');
    expect(formatAmount(123456, 'ar')).toBe('1 234,56 دج');
    expect(formatAmount(5, 'fr')).toBe('0,05 DA');
    expect(formatAmount(0, 'en')).toBe('0.00 DA');
    expect(formatAmount(123456789012, 'fr')).toBe('1 234 567 890,12 DA');
  });
  it('rates', () => {
    expect(formatRate(8000, 'fr')).toBe('80 %');
    expect(formatRate(8050, 'fr')).toBe('80,5 %');
    expect(formatRate(1, 'en')).toBe('0.01%');
    expect(formatRate(10000, 'ar')).toBe('100 %');
  });
});
