/** What `chifa price` accepts: lines, card document, day, beneficiary; the settings data; the sentences data. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ChifaError } from '../../src/core/errors.ts';
import { parseBeneficiary, parseCard, parseDay, parseLines } from '../../src/core/pricing/input.ts';
import { NOTE_CODES, REASON_CODES } from '../../src/core/pricing/reasons.ts';
import { DEFAULT_PRICING_SETTINGS, pricingSettingsFileSchema, settingsOn } from '../../src/core/pricing/settings.ts';
import { BUILT_IN_PRICING_SETTINGS, loadPricingSettings, loadPricingSettingsFile } from '../../src/app/pricing.ts';
import { card } from './pricing-fixtures.ts';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';

const REPO = join(import.meta.dirname, '../..');

function invalid(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof ChifaError && e.code === 'invalid-input') return e.message;
    throw e;
  }
  throw new Error('accepted');
}

describe('LINES.json', () => {
  it('takes the contract example and fills absent chronic and ppa with null', () => {
    expect(parseLines([{ product: '352/01 A 003/06/22', quantity: 2, chronic: 12, ppa: 89900 }, { product: '6130000000001', quantity: 1 }, { product: 'X', quantity: 1, chronic: null, ppa: null }])).toEqual([
      { product: '352/01 A 003/06/22', quantity: 2, chronic: 12, ppa: 89900 },
      { product: '6130000000001', quantity: 1, chronic: null, ppa: null },
      { product: 'X', quantity: 1, chronic: null, ppa: null },
    ]);
    expect(parseLines([])).toEqual([]);
  });

  it.each([
    ['not a list', { product: 'X', quantity: 1 }, /list/],
    ['a line that is not an object', ['X'], /line 1/],
    ['product missing', [{ quantity: 1 }], /line 1, field "product"/],
    ['product empty', [{ product: '', quantity: 1 }], /line 1, field "product"/],
    ['product blank', [{ product: '   ', quantity: 1 }], /field "product"/],
    ['product a number', [{ product: 123, quantity: 1 }], /field "product"/],
    ['quantity missing', [{ product: 'X' }], /field "quantity"/],
    ['quantity 0', [{ product: 'X', quantity: 0 }], /field "quantity"/],
    ['quantity negative', [{ product: 'X', quantity: -1 }], /field "quantity"/],
    ['quantity 1.5', [{ product: 'X', quantity: 1.5 }], /field "quantity"/],
    ['quantity a string', [{ product: 'X', quantity: '2' }], /field "quantity"/],
    ['quantity null', [{ product: 'X', quantity: null }], /field "quantity"/],
    ['quantity beyond safe integers', [{ product: 'X', quantity: 2 ** 53 }], /field "quantity"/],
    ['chronic 0', [{ product: 'X', quantity: 1, chronic: 0 }], /field "chronic"/],
    ['chronic 27', [{ product: 'X', quantity: 1, chronic: 27 }], /field "chronic"/],
    ['chronic a string', [{ product: 'X', quantity: 1, chronic: '12' }], /field "chronic"/],
    ['chronic 1.5', [{ product: 'X', quantity: 1, chronic: 1.5 }], /field "chronic"/],
    ['ppa 0', [{ product: 'X', quantity: 1, ppa: 0 }], /field "ppa"/],
    ['ppa negative', [{ product: 'X', quantity: 1, ppa: -5 }], /field "ppa"/],
    ['ppa in dinars with decimals', [{ product: 'X', quantity: 1, ppa: 899.5 }], /field "ppa"/],
    ['ppa a string', [{ product: 'X', quantity: 1, ppa: '899,00 DA' }], /field "ppa"/],
    ['an unknown key', [{ product: 'X', quantity: 1, vignette: 100 }], /unknown field "vignette"/],
  ])('refuses %s', (_what, value, message) => {
    expect(invalid(() => parseLines(value))).toMatch(message);
  });

  it('names the line (1-based) that is wrong', () => {
    expect(invalid(() => parseLines([{ product: 'A', quantity: 1 }, { product: 'B', quantity: 1 }, { product: 'C', quantity: 0 }]))).toMatch(/line 3, field "quantity"/);
  });
});

describe('CARD.json', () => {
  type Doc = Record<string, unknown>;
  const doc = (): Doc => JSON.parse(JSON.stringify(card()));
  /** Sets (or, with undefined, deletes) a field of a JSON document by its dotted path. */
  function set(d: Doc, path: string, value: unknown): Doc {
    const keys = path.split('.');
    let at = d;
    for (const k of keys.slice(0, -1)) at = at[k] as Doc;
    const last = keys[keys.length - 1]!;
    if (value === undefined) delete at[last];
    else at[last] = value;
    return d;
  }
  const beneficiaryDoc = (over: Doc = {}) => ({ index: 1, relationship: 'spouse', surname: 'B', givenNames: 'F', surnameAr: null, givenNamesAr: null, birthDate: '1955-00-00', sex: 'F', rate: null, chronicConditions: [], ...over });

  it('takes a `card read --json` document, with keys a later version may add', () => {
    const d = set(set(doc(), 'somethingNew', { x: 1 }), 'holder.extra', true);
    expect(parseCard(d)).toEqual(card());
  });

  it('takes the demo family card document once its signature is a status', () => {
    const d = JSON.parse(readFileSync(join(REPO, 'data/demo/cards/family.json'), 'utf8'));
    d.signature = { keyId: 'CNAS-TEST-2026', status: 'valid' };
    delete d.pin;
    const c = parseCard(d);
    expect(c.beneficiaries).toHaveLength(4);
    expect(c.holder.rate).toBe(10000);
  });

  it('refuses what is not an object', () => {
    for (const v of ['card', null, [], 42]) expect(invalid(() => parseCard(v))).toMatch(/card read/);
  });

  it.each([
    ['no rights', 'rights', undefined, /rights/],
    ['a rate above 10000', 'rights.defaultRate', 10001, /rights.defaultRate/],
    ['a rate as a string', 'holder.rate', '80', /holder.rate/],
    ['a negative personal rate', 'holder.rate', -1, /holder.rate/],
    ['a date that is not a calendar date', 'rights.validTo', '2026-02-30', /rights.validTo/],
    ['an expiry that is not a date', 'card.expires', 'soon', /card.expires/],
    ['a status not in the contract', 'rights.status', 'open', /rights.status/],
    ['thirdPartyPayment not a boolean', 'rights.thirdPartyPayment', 1, /thirdPartyPayment/],
    ['a signature without a status (an emulator document)', 'signature', { keyId: 'K', privateKey: 'k.pem' }, /signature.status/],
    ['a chronic code outside 1..26', 'holder.chronicConditions', [{ code: 40, validUntil: '2027-01-01' }], /holder.chronicConditions.0.code/],
    ['two beneficiaries with one index', 'beneficiaries', [beneficiaryDoc(), beneficiaryDoc({ givenNames: 'G' })], /index 1 is given twice/],
    ['a beneficiary index 0', 'beneficiaries', [beneficiaryDoc({ index: 0 })], /beneficiaries.0.index/],
    ['no beneficiaries list', 'beneficiaries', undefined, /beneficiaries/],
    ['another profile version', 'profileVersion', 2, /profileVersion/],
  ])('refuses %s', (_what, path, value, message) => {
    expect(invalid(() => parseCard(set(doc(), path, value)))).toMatch(message);
  });
});

describe('--date and --beneficiary', () => {
  it('days', () => {
    expect(parseDay('2026-02-28')).toBe('2026-02-28');
    expect(parseDay('2028-02-29')).toBe('2028-02-29');
    for (const bad of ['2026-02-29', '2026-13-01', '26-01-01', '2026-1-1', 'today', '2026-01-00']) expect(invalid(() => parseDay(bad))).toMatch(/--date/);
  });
  it('beneficiary indexes', () => {
    expect(parseBeneficiary('0')).toBe(0);
    expect(parseBeneficiary('12')).toBe(12);
    for (const bad of ['-1', '1.5', 'x', '', '1e3']) expect(invalid(() => parseBeneficiary(bad))).toMatch(/--beneficiary/);
  });
});

describe('settings, effective-dated', () => {
  const list = [
    { validFrom: '2006-01-01', nonChronicCeiling: 500000, chronicRate: 10000 },
    { validFrom: '2027-01-01', nonChronicCeiling: null, chronicRate: 10000 },
    { validFrom: '2020-06-01', nonChronicCeiling: 700000, chronicRate: 10000 },
  ];
  it('the latest entry on or before the day, in any order', () => {
    expect(settingsOn(list, '2006-01-01').nonChronicCeiling).toBe(500000);
    expect(settingsOn(list, '2020-05-31').nonChronicCeiling).toBe(500000);
    expect(settingsOn(list, '2020-06-01').nonChronicCeiling).toBe(700000);
    expect(settingsOn(list, '2026-12-31').nonChronicCeiling).toBe(700000);
    expect(settingsOn(list, '2027-01-01').nonChronicCeiling).toBeNull();
  });
  it("the rules' defaults before every entry", () => {
    expect(settingsOn(list, '2005-12-31')).toEqual(DEFAULT_PRICING_SETTINGS);
    expect(settingsOn([], '2026-01-01')).toEqual({ nonChronicCeiling: 500000, chronicRate: 10000 });
  });
  it('the shipped file: 5,000.00 DA since 2006', () => {
    const shipped = loadPricingSettingsFile(BUILT_IN_PRICING_SETTINGS);
    expect(settingsOn(shipped, '2026-03-15')).toEqual({ nonChronicCeiling: 500000, chronicRate: 10000 });
    expect(loadPricingSettings()).toEqual(shipped);
  });
  it('a data directory may hold its own settings', () => {
    const home = mkdtempSync(join(tmpdir(), 'chifa-pricing-'));
    expect(loadPricingSettings(home)).toEqual(loadPricingSettingsFile(BUILT_IN_PRICING_SETTINGS));
    mkdirSync(join(home, 'rules'));
    writeFileSync(join(home, 'rules', 'pricing-settings.json'), JSON.stringify({ settings: [{ validFrom: '2026-01-01', nonChronicCeiling: 1 }] }));
    expect(loadPricingSettings(home)).toEqual([{ validFrom: '2026-01-01', nonChronicCeiling: 1, chronicRate: 10000 }]);
    writeFileSync(join(home, 'rules', 'pricing-settings.json'), JSON.stringify({ settings: [{ validFrom: '2026-01-01', nonChronicCeiling: -1 }] }));
    expect(() => loadPricingSettings(home)).toThrow(/nonChronicCeiling/);
  });
  it.each([
    [{ settings: [] }],
    [{ settings: [{ validFrom: '2026-02-30', nonChronicCeiling: 1 }] }],
    [{ settings: [{ validFrom: '2026-01-01', nonChronicCeiling: 1.5 }] }],
    [{ settings: [{ validFrom: '2026-01-01' }] }],
    [{ settings: [{ validFrom: '2026-01-01', nonChronicCeiling: 1, chronicRate: 10001 }] }],
    [{ settings: [{ validFrom: '2026-01-01', nonChronicCeiling: 1, ceiling: 2 }] }],
    [{ settings: [{ validFrom: '2026-01-01', nonChronicCeiling: 1 }, { validFrom: '2026-01-01', nonChronicCeiling: 2 }] }],
  ])('refuses a broken settings file %j', (doc) => {
    expect(pricingSettingsFileSchema.safeParse(doc).success).toBe(false);
  });
});

describe('sentences', () => {
  const data = JSON.parse(readFileSync(join(REPO, 'data/rules/pricing-reasons.json'), 'utf8'));
  it('every reason and note code has a sentence in French, Arabic and English, and nothing else is there', () => {
    expect(Object.keys(data.reasons).sort()).toEqual([...REASON_CODES].sort());
    expect(Object.keys(data.notes).sort()).toEqual([...NOTE_CODES].sort());
    for (const group of [data.reasons, data.notes]) {
      for (const [code, s] of Object.entries(group as Record<string, Record<string, string>>)) {
        expect(Object.keys(s).sort(), code).toEqual(['ar', 'en', 'fr']);
        for (const text of Object.values(s)) expect(text.trim().length, code).toBeGreaterThan(10);
        // The same placeholders in every language.
        const holes = (t: string) => [...t.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
        expect(holes(s.ar!), code).toEqual(holes(s.fr!));
        expect(holes(s.en!), code).toEqual(holes(s.fr!));
      }
    }
  });
});
