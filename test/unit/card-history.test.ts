import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concat, hex } from '../../src/core/bytes.ts';
import { ChifaError } from '../../src/core/errors.ts';
import { decodeHistoryRecord, encodeHistoryRecord } from '../../src/core/card/history.ts';
import type { HistoryRecord } from '../../src/core/card/model.ts';
import { a, arbDate, h, set, tpl, type Field } from './card-fixtures.ts';
import { encodeTree, parseTree, rng, shuffleTree } from './card-tree.ts';

const sample: HistoryRecord = {
  date: '2026-03-01',
  pharmacy: 'PH-16-00042',
  beneficiary: 0,
  claimId: '0190e0a4-8c3b-7cde-9f00-112233445566',
  total: 123456,
  fund: 98765,
  items: 3,
};

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

const arbRecord: fc.Arbitrary<HistoryRecord> = fc.record({
  date: arbDate,
  pharmacy: fc.string({ unit: 'grapheme-ascii', maxLength: 14 }),
  beneficiary: fc.integer({ min: 0, max: 10 }),
  claimId: fc.uuid(),
  total: fc.integer({ min: 0, max: 0xffffffff }),
  fund: fc.integer({ min: 0, max: 0xffffffff }),
  items: fc.integer({ min: 0, max: 255 }),
});

describe('EF.HISTORY record (EA)', () => {
  it('encodes byte for byte', () => {
    expect(hex(encodeHistoryRecord(sample), true)).toBe(
      'EA3B' +
        'C0083230323630333031' +
        'C10B50482D31362D3030303432' +
        'C20100' +
        'C3100190E0A48C3B7CDE9F00112233445566' +
        'C4040001E240' +
        'C504000181CD' +
        'C60103',
    );
  });

  it('random records round-trip, at most 64 bytes, in any order of data objects', () => {
    fc.assert(
      fc.property(arbRecord, fc.integer(), (r, seed) => {
        const bytes = encodeHistoryRecord(r);
        expect(bytes.length).toBeLessThanOrEqual(64);
        expect(decodeHistoryRecord(bytes)).toEqual(r);
        expect(decodeHistoryRecord(encodeTree(shuffleTree(parseTree(bytes), rng(seed))))).toEqual(r);
      }),
      { numRuns: 500 },
    );
  });

  it('the largest record is exactly 64 bytes; upper-case UUIDs come back lower-case', () => {
    const big = { ...sample, pharmacy: 'ABCDEFGHIJKLMN', claimId: 'FFFFFFFF-FFFF-4FFF-BFFF-FFFFFFFFFFFF', total: 0xffffffff };
    const bytes = encodeHistoryRecord(big);
    expect(bytes.length).toBe(64);
    expect(decodeHistoryRecord(bytes)).toEqual({ ...big, claimId: 'ffffffff-ffff-4fff-bfff-ffffffffffff' });
  });

  it.each<[string, HistoryRecord]>([
    ['pharmacy of 15 bytes', { ...sample, pharmacy: 'ABCDEFGHIJKLMNO' }],
    ['pharmacy not ASCII', { ...sample, pharmacy: 'Pharmacie É' }],
    ['date 2026-02-29', { ...sample, date: '2026-02-29' }],
    ['date with 00 day', { ...sample, date: '2026-02-00' }],
    ['beneficiary 11', { ...sample, beneficiary: 11 }],
    ['beneficiary -1', { ...sample, beneficiary: -1 }],
    ['claim id not a UUID', { ...sample, claimId: '0190e0a48c3b7cde9f00112233445566' }],
    ['total above 4 bytes', { ...sample, total: 2 ** 32 }],
    ['fund not an integer', { ...sample, fund: 1.5 }],
    ['items 256', { ...sample, items: 256 }],
  ])('encoder: %s → invalid-input', (_n, r) => {
    expect(() => encodeHistoryRecord(r)).toThrow(expect.objectContaining({ code: 'invalid-input' }));
  });

  describe('malformed records', () => {
    const base = (): Field[] => [
      ['C0', a('20260301')],
      ['C1', a('PH-16-00042')],
      ['C2', h('00')],
      ['C3', h('0190E0A48C3B7CDE9F00112233445566')],
      ['C4', h('0001E240')],
      ['C5', h('000181CD')],
      ['C6', h('03')],
    ];

    it('the base decodes; an unknown tag is ignored', () => {
      expect(decodeHistoryRecord(tpl('EA', base()))).toEqual(sample);
      expect(decodeHistoryRecord(tpl('EA', [['DF01', h('')], ...base()]))).toEqual(sample);
    });

    it.each<[string, () => Uint8Array, string]>([
      ...['C0', 'C1', 'C2', 'C3', 'C4', 'C5', 'C6'].map((t): [string, () => Uint8Array, string] => [`${t} missing`, () => tpl('EA', set(base(), t, null)), t]),
      ['date 31 April', () => tpl('EA', set(base(), 'C0', a('20260431'))), 'C0'],
      // with every other object at its fixed size, 15 pharmacy bytes already make 65
      ['pharmacy of 15 bytes', () => tpl('EA', set(base(), 'C1', a('ABCDEFGHIJKLMNO'))), 'EA'],
      ['pharmacy of 15 bytes in a 64-byte record', () => tpl('EA', set(set(base(), 'C1', a('ABCDEFGHIJKLMNO')), 'C4', h('01E240'))), 'C1'],
      ['pharmacy not ASCII', () => tpl('EA', set(base(), 'C1', h('C3A9'))), 'C1'],
      ['beneficiary 11', () => tpl('EA', set(base(), 'C2', h('0B'))), 'C2'],
      ['beneficiary of 2 bytes', () => tpl('EA', set(base(), 'C2', h('0000'))), 'C2'],
      ['UUID of 15 bytes', () => tpl('EA', set(base(), 'C3', h('0190E0A48C3B7CDE9F001122334455'))), 'C3'],
      ['total of 3 bytes', () => tpl('EA', set(base(), 'C4', h('01E240'))), 'C4'],
      ['fund of 5 bytes', () => tpl('EA', set(base(), 'C5', h('00000181CD'))), 'C5'],
      ['items of 0 bytes', () => tpl('EA', set(base(), 'C6', h(''))), 'C6'],
      ['C6 twice (64 bytes)', () => tpl('EA', [...base(), ['C6', h('04')]]), 'C6'],
      ['wrong template', () => tpl('E9', base()), 'E9'],
      ['padding after the record', () => concat(tpl('EA', base()), h('00')), 'EA'],
      ['longer than 64 bytes', () => tpl('EA', [...base(), ['DF01', new Uint8Array(10)]]), 'EA'],
      ['truncated', () => tpl('EA', base()).subarray(0, 20), 'EA'],
    ])('%s → malformed EF.HISTORY', (_n, bytes, tag) => {
      const e = malformedOf(() => decodeHistoryRecord(bytes()));
      expect(e.details).toEqual({ file: 'EF.HISTORY', tag });
    });
  });
});
