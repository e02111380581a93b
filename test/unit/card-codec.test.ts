import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concat, hex } from '../../src/core/bytes.ts';
import { ChifaError } from '../../src/core/errors.ts';
import { readTlv, encodeTlv } from '../../src/core/tlv.ts';
import { decodeEmergency, decodeIdentity } from '../../src/core/card/decode.ts';
import {
  encodeBeneficiaries,
  encodeEmergency,
  encodeHolder,
  encodeIcc,
  encodeIdentityFiles,
  encodeRights,
  encodeSignatureFile,
} from '../../src/core/card/encode.ts';
import type { CardFiles, CardIdentity } from '../../src/core/card/model.ts';
import {
  a,
  arbIdentity,
  beneficiaryFields,
  chronicValue,
  h,
  holderFields,
  iccFields,
  rawFiles,
  rightsFields,
  sampleIdentity,
  set,
  tpl,
  u,
  type Field,
} from './card-fixtures.ts';
import { encodeTree, insertUnknown, parseTree, rng, shuffleTree } from './card-tree.ts';

function filesOf(id: CardIdentity): CardFiles {
  return { ...encodeIdentityFiles(id), signature: null };
}

function malformedOf(fn: () => unknown): ChifaError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ChifaError);
    expect((e as ChifaError).code).toBe('malformed-card-data');
    return e as ChifaError;
  }
  throw new Error('expected malformed-card-data, but it decoded');
}

const FILE_KEYS = ['icc', 'holder', 'rights', 'beneficiaries'] as const;

describe('identity: the json-contract example', () => {
  it('encodes byte for byte as the profile lays it out', () => {
    const f = encodeIdentityFiles(sampleIdentity());
    expect(hex(f.icc, true)).toBe(
      'E132' + 'C00101' + 'C10800A1B2C3D4E5F601' + 'C204434E4153' + 'C30631362D303031' +
        'C4083230323430333031' + 'C5083230323930323238' + 'C60101',
    );
    expect(hex(f.rights, true)).toBe(
      'E31E' + 'C0083230323630313031' + 'C1083230323631323331' + 'C20100' + 'C3021F40' + 'C40101',
    );
    expect(hex(f.holder, true)).toContain('C5083139353030303030'); // 1950-00-00 as given
    expect(hex(f.holder, true)).toContain('E60FE70DC0010CC1083230323730363330');
    expect(hex(f.beneficiaries, true).startsWith('E4')).toBe(true);
  });

  it('decodes the hand-built files to the contract document', () => {
    expect(decodeIdentity(rawFiles())).toEqual(sampleIdentity());
  });

  it('keeps text byte for byte: spaces, BOM, NUL, combining marks, case', () => {
    const odd = ' \uFEFFbenAli\u0000 e\u0301 ';
    const id = decodeIdentity(rawFiles({ holder: set(holderFields(), 'C1', u(odd)) }));
    expect(id.holder.surname).toBe(odd);
    expect(id.holder.surname.length).toBe(odd.length);
    const bom = decodeIdentity(rawFiles({ holder: set(holderFields(), 'C2', h('EFBBBF41')) }));
    expect(bom.holder.givenNames).toBe('\uFEFFA');
  });

  it('accepts empty text, absent optionals (null) and an absent or empty E6 ([])', () => {
    let fields: Field[] = set(holderFields(), 'C2', new Uint8Array(0));
    for (const t of ['C3', 'C4', 'C7', 'C9', 'E6']) fields = set(fields, t, null);
    const hold = decodeIdentity(rawFiles({ holder: fields, icc: set(iccFields(), 'C3', null) }));
    expect(hold.holder).toMatchObject({ givenNames: '', surnameAr: null, givenNamesAr: null, wilaya: null, rate: null, chronicConditions: [] });
    expect(hold.card.agency).toBeNull();
    const emptyE6 = decodeIdentity(rawFiles({ holder: set(holderFields(), 'E6', new Uint8Array(0)) }));
    expect(emptyE6.holder.chronicConditions).toEqual([]);
  });

  it('accepts partial birth dates, leap days and the edges of every range', () => {
    const cases: [string, string][] = [
      ['19500000', '1950-00-00'],
      ['19500300', '1950-03-00'],
      ['20000229', '2000-02-29'],
      ['20240229', '2024-02-29'],
      ['00011231', '0001-12-31'],
    ];
    for (const [card, iso] of cases) {
      expect(decodeIdentity(rawFiles({ holder: set(holderFields(), 'C5', a(card)) })).holder.birthDate).toBe(iso);
    }
    const edge = decodeIdentity(
      rawFiles({
        holder: set(set(holderFields(), 'C9', h('0000')), 'E6', chronicValue([[['C0', h('01')], ['C1', a('20000229')]], [['C0', h('1A')], ['C1', a('20270630')]]])),
        rights: set(set(rightsFields(), 'C3', h('2710')), 'C2', h('01')),
        beneficiaries: [set(beneficiaryFields(10), 'C8', h('2710'))],
      }),
    );
    expect(edge.holder.rate).toBe(0);
    expect(edge.holder.chronicConditions).toEqual([{ code: 1, validUntil: '2000-02-29' }, { code: 26, validUntil: '2027-06-30' }]);
    expect(edge.rights).toMatchObject({ defaultRate: 10000, status: 'suspended' });
    expect(edge.beneficiaries[0]).toMatchObject({ index: 10, rate: 10000 });
  });

  it('maps every enumeration', () => {
    const statuses = ['employee', 'pensioner', 'unemployment-benefit', 'student', 'disability', 'other'];
    statuses.forEach((s, i) => {
      expect(decodeIdentity(rawFiles({ holder: set(holderFields(), 'C8', Uint8Array.of(i + 1)) })).holder.status).toBe(s);
    });
    const rel = ['spouse', 'child', 'ascendant', 'other-dependant'];
    rel.forEach((r, i) => {
      const b = set(beneficiaryFields(1), 'C1', Uint8Array.of(i + 1));
      expect(decodeIdentity(rawFiles({ beneficiaries: [b] })).beneficiaries[0]!.relationship).toBe(r);
    });
    const indiv = decodeIdentity(rawFiles({ icc: set(iccFields(), 'C6', h('02')) }));
    expect(indiv.card.type).toBe('individual');
    expect(decodeIdentity(rawFiles({ holder: set(holderFields(), 'C6', h('02')) })).holder.sex).toBe('F');
    expect(decodeIdentity(rawFiles({ rights: set(rightsFields(), 'C4', h('00')) })).rights.thirdPartyPayment).toBe(false);
  });

  it('takes 10 beneficiaries, a family card with none, serials in upper-case hex', () => {
    const ten = Array.from({ length: 10 }, (_, i) => beneficiaryFields(10 - i));
    const id = decodeIdentity(rawFiles({ beneficiaries: ten, icc: set(iccFields(), 'C1', h('abcdef0123456789')) }));
    expect(id.beneficiaries.map((b) => b.index)).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(id.card.serial).toBe('ABCDEF0123456789');
    expect(decodeIdentity(rawFiles({ beneficiaries: [] })).beneficiaries).toEqual([]);
  });

  it('ignores padding after a template and 00/FF filler between data objects', () => {
    const f = rawFiles();
    const padded = { ...f, icc: concat(f.icc, h('00FF00')), holder: concat(f.holder, h('FFFF')) };
    expect(decodeIdentity(padded)).toEqual(sampleIdentity());
    const withFiller = tpl('E3', rightsFields()).slice();
    const children = withFiller.subarray(2);
    const filled = concat(h('E3'), Uint8Array.of(children.length + 3), h('00'), children, h('FFFF'));
    expect(decodeIdentity({ ...f, rights: filled })).toEqual(sampleIdentity());
  });
});

describe('identity: round trips (fast-check)', () => {
  it('random identities encode then decode to the same document', () => {
    fc.assert(
      fc.property(arbIdentity, (id) => {
        expect(decodeIdentity(filesOf(id))).toEqual(id);
      }),
      { numRuns: 300 },
    );
  });

  it('reordering data objects, long length forms, filler and unknown tags anywhere change nothing', () => {
    fc.assert(
      fc.property(arbIdentity, fc.integer(), (id, seed) => {
        const random = rng(seed);
        const files = filesOf(id);
        const mutated = { ...files };
        for (const k of FILE_KEYS) {
          const tree = insertUnknown(shuffleTree(parseTree(files[k]), random), random);
          mutated[k] = encodeTree(tree, {
            lengthForm: () => Math.floor(random() * 3) as 0 | 1 | 2,
            filler: () => (random() < 0.2 ? Uint8Array.of(random() < 0.5 ? 0x00 : 0xff) : new Uint8Array(0)),
          });
        }
        expect(decodeIdentity(mutated)).toEqual(id);
      }),
      { numRuns: 300 },
    );
  });

  it('reordering alone changes nothing (no other transformation)', () => {
    fc.assert(
      fc.property(arbIdentity, fc.integer(), (id, seed) => {
        const random = rng(seed);
        const files = filesOf(id);
        const reordered = { ...files };
        for (const k of FILE_KEYS) reordered[k] = encodeTree(shuffleTree(parseTree(files[k]), random));
        expect(decodeIdentity(reordered)).toEqual(id);
      }),
      { numRuns: 200 },
    );
  });

  it('TLV objects round-trip through every length form, multi-byte tags included', () => {
    const arbTag = fc.constantFrom('C0', 'E1', '5F20', '9F1F', 'DF8101', '7F49');
    fc.assert(
      fc.property(arbTag, fc.uint8Array({ maxLength: 700 }), (tag, value) => {
        const bytes = encodeTlv(tag, value);
        const { node, next } = readTlv(bytes);
        expect(node.tag).toBe(tag);
        expect(node.value).toEqual(value);
        expect(node.raw).toEqual(bytes);
        expect(next).toBe(bytes.length);
      }),
    );
  });
});

describe('identity: every malformed rule', () => {
  const invalidUtf8 = [h('C328'), h('C080'), h('EDA080'), h('F5808080'), h('E282'), h('FF')];
  type Case = [name: string, files: () => CardFiles, file: string, tag: string | null];
  const icc = (t: string, v: Uint8Array | null) => () => rawFiles({ icc: set(iccFields(), t, v) });
  const hold = (t: string, v: Uint8Array | null) => () => rawFiles({ holder: set(holderFields(), t, v) });
  const rights = (t: string, v: Uint8Array | null) => () => rawFiles({ rights: set(rightsFields(), t, v) });
  const ben = (t: string, v: Uint8Array | null) => () => rawFiles({ beneficiaries: [set(beneficiaryFields(1), t, v)] });
  const chronic = (entry: Field[]) => () => rawFiles({ holder: set(holderFields(), 'E6', chronicValue([entry])) });
  const dup = (fields: Field[], tag: string): Field[] => [...fields, fields.find(([t]) => t === tag)!];

  const cases: Case[] = [
    // EF.ICC
    ...['C0', 'C1', 'C2', 'C4', 'C5', 'C6'].map((t): Case => [`ICC ${t} missing`, icc(t, null), 'EF.ICC', t]),
    ['profile version 02', icc('C0', h('02')), 'EF.ICC', 'C0'],
    ['profile version of 2 bytes', icc('C0', h('0001')), 'EF.ICC', 'C0'],
    ['serial of 7 bytes', icc('C1', h('00A1B2C3D4E5F6')), 'EF.ICC', 'C1'],
    ['serial of 9 bytes', icc('C1', h('00A1B2C3D4E5F60102')), 'EF.ICC', 'C1'],
    ['fund not ASCII', icc('C2', u('CNAŞ')), 'EF.ICC', 'C2'],
    ['agency not ASCII', icc('C3', u('16-٠٠١')), 'EF.ICC', 'C3'],
    ['issue date 30 February', icc('C4', a('20240230')), 'EF.ICC', 'C4'],
    ['issue date with 00 day (only birth dates may)', icc('C4', a('20240300')), 'EF.ICC', 'C4'],
    ['issue date 7 digits', icc('C4', a('2024030')), 'EF.ICC', 'C4'],
    ['issue date with dashes', icc('C4', a('2024-3-1')), 'EF.ICC', 'C4'],
    ['expiry 29 February of a common year', icc('C5', a('20290229')), 'EF.ICC', 'C5'],
    ['expiry month 13', icc('C5', a('20291301')), 'EF.ICC', 'C5'],
    ['card type 03', icc('C6', h('03')), 'EF.ICC', 'C6'],
    ['card type 00', icc('C6', h('00')), 'EF.ICC', 'C6'],
    ['card type of 2 bytes', icc('C6', h('0001')), 'EF.ICC', 'C6'],
    ['ICC C2 twice', () => rawFiles({ icc: dup(iccFields(), 'C2') }), 'EF.ICC', 'C2'],
    ['EF.ICC holding an E2', () => ({ ...rawFiles(), icc: tpl('E2', iccFields()) }), 'EF.ICC', 'E2'],
    ['length form 83', () => ({ ...rawFiles(), icc: concat(h('E183000000'), tpl('E1', iccFields()).subarray(2)) }), 'EF.ICC', 'E1'],
    ['indefinite length 80', () => ({ ...rawFiles(), icc: concat(h('E180'), tpl('E1', iccFields()).subarray(2), h('0000')) }), 'EF.ICC', 'E1'],
    ['child length form 84', () => ({ ...rawFiles(), icc: encodeTlv('E1', concat(...iccFields().slice(1).map(([t, v]) => encodeTlv(t, v)), h('C0840000000101'))) }), 'EF.ICC', 'C0'],
    ['template longer than its file', () => ({ ...rawFiles(), icc: tpl('E1', iccFields()).subarray(0, 30) }), 'EF.ICC', 'E1'],
    ['child running past its template', () => {
      const t = tpl('E1', iccFields()).slice();
      t[t.length - 2] = 0x05; // C6 01 -> C6 05
      return { ...rawFiles(), icc: t };
    }, 'EF.ICC', 'C6'],
    ['bytes other than padding after the template', () => ({ ...rawFiles(), icc: concat(tpl('E1', iccFields()), h('C00101')) }), 'EF.ICC', 'E1'],
    ['empty file', () => ({ ...rawFiles(), icc: new Uint8Array(0) }), 'EF.ICC', null],
    ['tag longer than 4 bytes', () => rawFiles({ icc: [...iccFields(), ['DF81818101', h('00')]] }), 'EF.ICC', null],
    ['individual card without beneficiary', () => rawFiles({ icc: set(iccFields(), 'C6', h('02')), beneficiaries: [] }), 'EF.BENEFICIARIES', 'E4'],
    ['individual card with two', () => rawFiles({ icc: set(iccFields(), 'C6', h('02')), beneficiaries: [beneficiaryFields(1), beneficiaryFields(2)] }), 'EF.BENEFICIARIES', 'E4'],
    // EF.HOLDER
    ...['C0', 'C1', 'C2', 'C5', 'C6', 'C8'].map((t): Case => [`HOLDER ${t} missing`, hold(t, null), 'EF.HOLDER', t]),
    ['NSS of 11 digits', hold('C0', a('50123456789')), 'EF.HOLDER', 'C0'],
    ['NSS of 13 digits', hold('C0', a('5012345678901')), 'EF.HOLDER', 'C0'],
    ['NSS with a letter', hold('C0', a('50123456789O')), 'EF.HOLDER', 'C0'],
    ...invalidUtf8.map((bad): Case => [`surname invalid UTF-8 ${hex(bad)}`, hold('C1', concat(u('BEN'), bad)), 'EF.HOLDER', 'C1']),
    ['given names invalid UTF-8', hold('C2', h('C328')), 'EF.HOLDER', 'C2'],
    ['Arabic surname invalid UTF-8', hold('C3', h('D8')), 'EF.HOLDER', 'C3'],
    ['Arabic given names invalid UTF-8', hold('C4', h('EDBFBF')), 'EF.HOLDER', 'C4'],
    ['birth date 00 month with a day', hold('C5', a('19500005')), 'EF.HOLDER', 'C5'],
    ['birth date month 13', hold('C5', a('19501300')), 'EF.HOLDER', 'C5'],
    ['birth date 30 February', hold('C5', a('19500230')), 'EF.HOLDER', 'C5'],
    ['birth date 29 February 1900', hold('C5', a('19000229')), 'EF.HOLDER', 'C5'],
    ['birth year 0000', hold('C5', a('00000000')), 'EF.HOLDER', 'C5'],
    ['birth date 31 April', hold('C5', a('19500431')), 'EF.HOLDER', 'C5'],
    ['birth date not digits', hold('C5', a('1950AB00')), 'EF.HOLDER', 'C5'],
    ['sex 03', hold('C6', h('03')), 'EF.HOLDER', 'C6'],
    ['sex 00', hold('C6', h('00')), 'EF.HOLDER', 'C6'],
    ['wilaya of 1 digit', hold('C7', a('6')), 'EF.HOLDER', 'C7'],
    ['wilaya of 3 digits', hold('C7', a('016')), 'EF.HOLDER', 'C7'],
    ['wilaya not digits', hold('C7', a('A1')), 'EF.HOLDER', 'C7'],
    ['insured status 07', hold('C8', h('07')), 'EF.HOLDER', 'C8'],
    ['insured status 00', hold('C8', h('00')), 'EF.HOLDER', 'C8'],
    ['personal rate 10001', hold('C9', h('2711')), 'EF.HOLDER', 'C9'],
    ['personal rate FFFF', hold('C9', h('FFFF')), 'EF.HOLDER', 'C9'],
    ['personal rate of 1 byte', hold('C9', h('64')), 'EF.HOLDER', 'C9'],
    ['personal rate of 3 bytes', hold('C9', h('001F40')), 'EF.HOLDER', 'C9'],
    ['chronic code 0', chronic([['C0', h('00')], ['C1', a('20270630')]]), 'EF.HOLDER', 'C0'],
    ['chronic code 27', chronic([['C0', h('1B')], ['C1', a('20270630')]]), 'EF.HOLDER', 'C0'],
    ['chronic code of 2 bytes', chronic([['C0', h('000C')], ['C1', a('20270630')]]), 'EF.HOLDER', 'C0'],
    ['chronic without code', chronic([['C1', a('20270630')]]), 'EF.HOLDER', 'C0'],
    ['chronic without date', chronic([['C0', h('0C')]]), 'EF.HOLDER', 'C1'],
    ['chronic date not a date', chronic([['C0', h('0C')], ['C1', a('20270631')]]), 'EF.HOLDER', 'C1'],
    ['chronic date with 00 day', chronic([['C0', h('0C')], ['C1', a('20270600')]]), 'EF.HOLDER', 'C1'],
    ['chronic C0 twice', chronic([['C0', h('0C')], ['C0', h('0C')], ['C1', a('20270630')]]), 'EF.HOLDER', 'C0'],
    ['E6 twice', () => rawFiles({ holder: dup(holderFields(), 'E6') }), 'EF.HOLDER', 'E6'],
    ['holder C1 twice', () => rawFiles({ holder: dup(holderFields(), 'C1') }), 'EF.HOLDER', 'C1'],
    ['holder optional C9 twice', () => rawFiles({ holder: dup(holderFields(), 'C9') }), 'EF.HOLDER', 'C9'],
    ['EF.HOLDER holding an E1', () => ({ ...rawFiles(), holder: tpl('E1', holderFields()) }), 'EF.HOLDER', 'E1'],
    // EF.RIGHTS
    ...['C0', 'C1', 'C2', 'C3', 'C4'].map((t): Case => [`RIGHTS ${t} missing`, rights(t, null), 'EF.RIGHTS', t]),
    ['rights from 00 day', rights('C0', a('20260100')), 'EF.RIGHTS', 'C0'],
    ['rights to 31 June', rights('C1', a('20260631')), 'EF.RIGHTS', 'C1'],
    ['rights status 02', rights('C2', h('02')), 'EF.RIGHTS', 'C2'],
    ['default rate 10001', rights('C3', h('2711')), 'EF.RIGHTS', 'C3'],
    ['default rate of 1 byte', rights('C3', h('50')), 'EF.RIGHTS', 'C3'],
    ['third-party payment 02', rights('C4', h('02')), 'EF.RIGHTS', 'C4'],
    ['third-party payment FF', rights('C4', h('FF')), 'EF.RIGHTS', 'C4'],
    ['rights C3 twice', () => rawFiles({ rights: dup(rightsFields(), 'C3') }), 'EF.RIGHTS', 'C3'],
    // EF.BENEFICIARIES
    ...['C0', 'C1', 'C2', 'C3', 'C6', 'C7'].map((t): Case => [`E5 ${t} missing`, ben(t, null), 'EF.BENEFICIARIES', t]),
    ['11 beneficiaries', () => rawFiles({ beneficiaries: Array.from({ length: 11 }, (_, i) => beneficiaryFields((i % 10) + 1)) }), 'EF.BENEFICIARIES', 'E5'],
    ['two beneficiaries with index 3', () => rawFiles({ beneficiaries: [beneficiaryFields(3), beneficiaryFields(1), beneficiaryFields(3)] }), 'EF.BENEFICIARIES', 'C0'],
    ['beneficiary index 0', ben('C0', h('00')), 'EF.BENEFICIARIES', 'C0'],
    ['beneficiary index 11', ben('C0', h('0B')), 'EF.BENEFICIARIES', 'C0'],
    ['beneficiary index of 2 bytes', ben('C0', h('0001')), 'EF.BENEFICIARIES', 'C0'],
    ['relationship 05', ben('C1', h('05')), 'EF.BENEFICIARIES', 'C1'],
    ['relationship 00', ben('C1', h('00')), 'EF.BENEFICIARIES', 'C1'],
    ['beneficiary surname invalid UTF-8', ben('C2', h('80')), 'EF.BENEFICIARIES', 'C2'],
    ['beneficiary Arabic given names invalid UTF-8', ben('C5', h('E0A0')), 'EF.BENEFICIARIES', 'C5'],
    ['beneficiary birth date 00 month with a day', ben('C6', a('19550012')), 'EF.BENEFICIARIES', 'C6'],
    ['beneficiary sex 00', ben('C7', h('00')), 'EF.BENEFICIARIES', 'C7'],
    ['beneficiary rate 10001', ben('C8', h('2711')), 'EF.BENEFICIARIES', 'C8'],
    ['beneficiary chronic code 27', ben('E6', chronicValue([[['C0', h('1B')], ['C1', a('20270630')]]])), 'EF.BENEFICIARIES', 'C0'],
    ['beneficiary C2 twice', () => rawFiles({ beneficiaries: [dup(beneficiaryFields(1), 'C2')] }), 'EF.BENEFICIARIES', 'C2'],
    ['EF.BENEFICIARIES holding an E5 directly', () => ({ ...rawFiles(), beneficiaries: tpl('E5', beneficiaryFields(1)) }), 'EF.BENEFICIARIES', 'E5'],
  ];

  it('the unmodified raw card decodes (every case below differs from it by one rule)', () => {
    expect(decodeIdentity(rawFiles())).toEqual(sampleIdentity());
  });

  it.each(cases)('%s → malformed-card-data in %s', (_name, files, file, tag) => {
    const e = malformedOf(() => decodeIdentity(files()));
    expect(e.details.file).toBe(file);
    if (tag !== null) expect(e.details.tag).toBe(tag);
    expect(e.message).toContain(file);
  });

  it('accepts an unknown tag given twice (ignored, not a duplicate)', () => {
    const id = decodeIdentity(rawFiles({ icc: [...iccFields(), ['DF01', h('00')], ['DF01', h('01')], ['CA', h('')], ['CA', h('')]] }));
    expect(id).toEqual(sampleIdentity());
  });

  it('accepts the same chronic code twice, in card order', () => {
    const e6 = chronicValue([
      [['C0', h('0C')], ['C1', a('20270630')]],
      [['C0', h('0C')], ['C1', a('20250101')]],
    ]);
    expect(decodeIdentity(rawFiles({ holder: set(holderFields(), 'E6', e6) })).holder.chronicConditions).toEqual([
      { code: 12, validUntil: '2027-06-30' },
      { code: 12, validUntil: '2025-01-01' },
    ]);
  });
});

describe('emergency (E9)', () => {
  it('absent file or empty template: four nulls', () => {
    const none = { bloodGroup: null, allergies: null, emergencyContact: null, notes: null };
    expect(decodeEmergency(null)).toEqual(none);
    expect(decodeEmergency(undefined)).toEqual(none);
    expect(decodeEmergency(h('E900'))).toEqual(none);
  });

  it('round-trips and keeps text as given', () => {
    const e = { bloodGroup: 'O+', allergies: 'Pénicilline ', emergencyContact: '+213 555 00 00 00', notes: 'سكري' };
    expect(decodeEmergency(encodeEmergency(e))).toEqual(e);
    const partial = { bloodGroup: null, allergies: null, emergencyContact: '0555', notes: null };
    expect(hex(encodeEmergency(partial), true)).toBe('E906C20430353535');
    expect(decodeEmergency(encodeEmergency(partial))).toEqual(partial);
  });

  it.each([
    ['blood group not ASCII', tpl('E9', [['C0', u('O⁺')]]), 'C0'],
    ['allergies invalid UTF-8', tpl('E9', [['C1', h('C3')]]), 'C1'],
    ['notes twice', tpl('E9', [['C3', u('a')], ['C3', u('b')]]), 'C3'],
    ['wrong template', tpl('E1', [['C0', u('O+')]]), 'E1'],
    ['truncated', h('E903C0024F'), 'C0'],
  ])('%s → malformed EF.EMERGENCY', (_n, bytes, tag) => {
    const e = malformedOf(() => decodeEmergency(bytes));
    expect(e.details).toEqual({ file: 'EF.EMERGENCY', tag });
  });
});

describe('encoder input checks', () => {
  const bad = (fn: () => unknown, field: string) => {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(ChifaError);
      expect((e as ChifaError).code).toBe('invalid-input');
      expect((e as ChifaError).message).toContain(field);
      return;
    }
    throw new Error('expected invalid-input');
  };
  const s = sampleIdentity;

  it.each([
    ['serial of 15 digits', () => encodeIcc({ ...s().card, serial: '00A1B2C3D4E5F60' }), 'card.serial'],
    ['fund not ASCII', () => encodeIcc({ ...s().card, fund: 'CNAŞ' }), 'card.fund'],
    ['issue date 2024-02-30', () => encodeIcc({ ...s().card, issued: '2024-02-30' }), 'card.issued'],
    ['expiry with 00 day', () => encodeIcc({ ...s().card, expires: '2029-02-00' }), 'card.expires'],
    ['card type', () => encodeIcc({ ...s().card, type: 'group' as never }), 'card.type'],
    ['NSS', () => encodeHolder({ ...s().holder, nss: '5012' }), 'holder.nss'],
    ['birth date 1950-00-05', () => encodeHolder({ ...s().holder, birthDate: '1950-00-05' }), 'holder.birthDate'],
    ['rate 10001', () => encodeHolder({ ...s().holder, rate: 10001 }), 'holder.rate'],
    ['rate 80.5', () => encodeHolder({ ...s().holder, rate: 80.5 }), 'holder.rate'],
    ['wilaya', () => encodeHolder({ ...s().holder, wilaya: '6' }), 'holder.wilaya'],
    ['lone surrogate', () => encodeHolder({ ...s().holder, surname: 'A\uD800' }), 'holder.surname'],
    ['chronic code 27', () => encodeHolder({ ...s().holder, chronicConditions: [{ code: 27, validUntil: '2027-01-01' }] }), 'holder.chronicConditions[0].code'],
    ['default rate -1', () => encodeRights({ ...s().rights, defaultRate: -1 }), 'rights.defaultRate'],
    ['third-party payment not boolean', () => encodeRights({ ...s().rights, thirdPartyPayment: 1 as never }), 'rights.thirdPartyPayment'],
    ['11 beneficiaries', () => encodeBeneficiaries(Array.from({ length: 11 }, (_, i) => ({ ...s().beneficiaries[0]!, index: (i % 10) + 1 }))), 'beneficiaries'],
    ['duplicate index', () => encodeBeneficiaries([s().beneficiaries[0]!, s().beneficiaries[0]!]), 'beneficiaries[1].index'],
    ['index 0', () => encodeBeneficiaries([{ ...s().beneficiaries[0]!, index: 0 }]), 'beneficiaries[0].index'],
    ['individual card with two', () => encodeIdentityFiles({ ...s(), card: { ...s().card, type: 'individual' }, beneficiaries: [s().beneficiaries[0]!, { ...s().beneficiaries[0]!, index: 2 }] }), 'beneficiaries'],
    ['text over 65535 bytes', () => encodeHolder({ ...s().holder, surname: 'x'.repeat(70000) }), 'holder.surname'],
    ['key id not ASCII', () => encodeSignatureFile('CNAS-É', new Uint8Array(64)), 'signature.keyId'],
  ])('%s → invalid-input', (_n, fn, field) => bad(fn, field));

  it('signature file: C0 key id, C1 algorithm, C2 signature as given', () => {
    const sig = Uint8Array.from({ length: 64 }, (_, i) => i);
    expect(hex(encodeSignatureFile('K', sig), true)).toBe('EB48C0014BC10101C240' + hex(sig, true));
    expect(hex(encodeSignatureFile('K', sig.subarray(0, 63), 2), true).slice(0, 20)).toBe('EB47C0014BC10102C23F');
  });

  it('profile version byte may be set, for test cards the reader must refuse', () => {
    const icc = encodeIcc({ ...sampleIdentity().card, profileVersion: 2 });
    expect(hex(icc, true).slice(0, 10)).toBe('E132C00102');
    const e = malformedOf(() => decodeIdentity({ ...rawFiles(), icc }));
    expect(e.details).toEqual({ file: 'EF.ICC', tag: 'C0' });
  });
});
