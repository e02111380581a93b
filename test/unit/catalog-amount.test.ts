/** The amount grammar of json-contract.md (`catalog import`), examples and properties. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDinars, parseAmount } from '../../src/core/catalog/amount.ts';

describe('parseAmount', () => {
  it.each([
    // json-contract.md
    ['5 842,20 DA', 584220],
    ['5,842.27 DA', 584227],
    ['82,6 DA', 8260],
    ['7020 DA', 702000],
    // shared/data/README.md
    ['6708.11 DA', 670811],
    ['5452,72 DA', 545272],
    ['5 842,20    DA', 584220],
    // spaces, case, no-break spaces
    ['  899.00  da ', 89900],
    ['899.00Da', 89900],
    ['5\u00a0842,20\u00a0DA', 584220],
    ['5\u202f842,20 DA', 584220],
    ['313', 31300],
    ['0,5', 50],
    ['1.234.567,89 DA', 123456789],
    ['1 234 567', 123456700],
  ])('%j reads as %i centimes', (text, centimes) => {
    expect(parseAmount(text)).toBe(centimes);
  });

  it.each([
    '0', '0 DA', '00 DA', '0,00', '0.0 DA', '--', '-- DA', '- DA', 'N/A', '', '   ', 'DA', 'O DA', 'B/30SACH DA', '999.99 D DA',
    '1,2345', '1 23', '1  234', '-5 DA', '+5 DA', '5e3', '12.', '.5', 'DA 12', 'VACCIN GRIPPAL',
  ])('%j is no value', (text) => {
    expect(parseAmount(text)).toBeNull();
  });

  it('null, undefined and objects are no value; a positive JSON number reads as dinars', () => {
    expect(parseAmount(null)).toBeNull();
    expect(parseAmount(undefined)).toBeNull();
    expect(parseAmount({})).toBeNull();
    expect(parseAmount(0)).toBeNull();
    expect(parseAmount(899)).toBe(89900);
  });

  it('decides the ambiguous cases by the grammar: three digits after the last separator are thousands', () => {
    expect(parseAmount('1,234')).toBe(123400);
    expect(parseAmount('1.234')).toBe(123400);
    expect(parseAmount('1,23')).toBe(123);
    expect(parseAmount('1.2')).toBe(120);
    expect(parseAmount('1.234,5')).toBe(123450);
    // Literal, even where a person would hesitate: every group of three is thousands.
    expect(parseAmount('12,345,6')).toBe(1234560);
    expect(parseAmount('5.842,200')).toBe(584220000);
  });

  const separators = fc.constantFrom('', ' ', '\u00a0', ',', '.');
  const decimals = fc.constantFrom(',', '.');
  const suffix = fc.constantFrom('', ' DA', 'DA', '    DA', ' da', ' Da', '\u00a0DA', ' ');
  const prefix = fc.constantFrom('', ' ', '  ');

  /** Writes centimes the way the lists may: any thousands separator, 1 or 2 decimals when exact. */
  function write(centimes: number, sep: string, dec: string, decimals: 0 | 1 | 2): string {
    const whole = String(Math.trunc(centimes / 100));
    const groups: string[] = [];
    for (let end = whole.length; end > 0; end -= 3) groups.unshift(whole.slice(Math.max(0, end - 3), end));
    const body = groups.join(sep);
    const cents = String(centimes % 100).padStart(2, '0');
    if (decimals === 0) return body;
    if (decimals === 1) return `${body}${dec}${cents[0]}`;
    return `${body}${dec}${cents}`;
  }

  it('reads back any amount written in any allowed style', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 99_999_999_99 }), separators, decimals, suffix, prefix, fc.constantFrom(0, 1, 2) as fc.Arbitrary<0 | 1 | 2>, (c, sep, dec, sfx, pfx, nDec) => {
        // Only amounts the chosen number of decimals can express exactly.
        const centimes = nDec === 0 ? Math.max(100, c - (c % 100)) : nDec === 1 ? Math.max(10, c - (c % 10)) : c;
        const text = `${pfx}${write(centimes, sep, dec, nDec)}${sfx}`;
        expect(parseAmount(text)).toBe(centimes);
      }),
      { numRuns: 2000 },
    );
  });

  it('formatDinars writes what parseAmount reads', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 ** 12 }), (c) => {
        expect(parseAmount(formatDinars(c))).toBe(c);
      }),
    );
  });

  it('never reads zero or a negative amount', () => {
    fc.assert(fc.property(fc.string(), (s) => {
      const v = parseAmount(s);
      expect(v === null || (Number.isSafeInteger(v) && v > 0)).toBe(true);
    }), { numRuns: 2000 });
  });
});
