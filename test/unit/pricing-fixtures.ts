/** Shared by the pricing-*.test.ts files: cards, an in-memory catalog, the default settings, arbitraries. */
import fc from 'fast-check';
import type { Beneficiary, CardData, ChronicCondition } from '../../src/core/card/model.ts';
import type { CatalogLookup, ProductAtDate } from '../../src/core/catalog/lookup.ts';
import type { PrescriptionLine } from '../../src/core/pricing/input.ts';
import { pricePrescription, type PricingInput, type PricingResult } from '../../src/core/pricing/prescription.ts';
import type { PricingSettings } from '../../src/core/pricing/settings.ts';

export const DAY = '2026-03-15';
export const SETTINGS: PricingSettings = { nonChronicCeiling: 500000, chronicRate: 10000 };

/** The worked example of pricing-rules.md. */
export const LOPRIL: ProductAtDate = { registration: '352/01 A 003/06/22', name: 'LOPRIL 50 mg comprimé B/30', ppa: 89900, tariff: 31300, reimbursable: true };

export function product(over: Partial<ProductAtDate> & { registration: string }): ProductAtDate {
  return { name: over.registration, ppa: 10000, tariff: null, reimbursable: true, ...over };
}

/** Products by exact reference; what the catalog store does behind CatalogLookup is not pricing's business. */
export class FakeCatalog implements CatalogLookup {
  readonly asked: { ref: string; day: string }[] = [];
  private readonly byRef: Map<string, ProductAtDate>;
  constructor(products: Record<string, ProductAtDate> | [string, ProductAtDate][]) {
    this.byRef = new Map(Array.isArray(products) ? products : Object.entries(products));
  }
  product(ref: string, day: string): ProductAtDate | null {
    this.asked.push({ ref, day });
    return this.byRef.get(ref) ?? null;
  }
}

export const catalog = (products: Record<string, ProductAtDate> = { LOPRIL }) => new FakeCatalog(products);

export function beneficiary(index: number, over: Partial<Beneficiary> = {}): Beneficiary {
  return {
    index,
    relationship: 'child',
    surname: 'BENALI',
    givenNames: `CHILD ${index}`,
    surnameAr: null,
    givenNamesAr: null,
    birthDate: '2010-01-01',
    sex: 'F',
    rate: null,
    chronicConditions: [],
    ...over,
  };
}

/** A card on which every right holds on DAY: active, valid 2026, third-party payment, signed. */
export function card(over: { holderRate?: number | null; holderChronic?: ChronicCondition[]; beneficiaries?: Beneficiary[]; type?: 'family' | 'individual' } = {}): CardData {
  return {
    profileVersion: 1,
    card: { serial: '00A1B2C3D4E5F601', fund: 'CNAS', agency: '16-001', issued: '2024-03-01', expires: '2029-02-28', type: over.type ?? 'family' },
    holder: {
      nss: '501234567890',
      surname: 'BENALI',
      givenNames: 'AHMED',
      surnameAr: null,
      givenNamesAr: null,
      birthDate: '1950-00-00',
      sex: 'M',
      wilaya: '16',
      status: 'pensioner',
      rate: over.holderRate ?? null,
      chronicConditions: over.holderChronic ?? [],
    },
    rights: { validFrom: '2026-01-01', validTo: '2026-12-31', status: 'active', defaultRate: 8000, thirdPartyPayment: true },
    beneficiaries: over.beneficiaries ?? [],
    emergency: null,
    history: null,
    signature: { keyId: 'CNAS-TEST-2026', status: 'valid' },
  };
}

export function line(productRef: string, over: Partial<PrescriptionLine> = {}): PrescriptionLine {
  return { product: productRef, quantity: 1, chronic: null, ppa: null, ...over };
}

export function price(over: Partial<PricingInput> = {}): PricingResult {
  return pricePrescription({ card: card(), beneficiary: 0, day: DAY, lines: [line('LOPRIL')], catalog: catalog(), settings: SETTINGS, lang: 'en', ...over });
}

export const codes = (list: { code: string }[]) => list.map((x) => x.code);

// Arbitraries for the property tests.

const isoDay = fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2032-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
const rateArb = fc.oneof(fc.constantFrom(0, 8000, 10000), fc.integer({ min: 0, max: 10000 }));
const chronicArb = fc.array(fc.record({ code: fc.integer({ min: 1, max: 26 }), validUntil: isoDay }), { maxLength: 4 });

export const arbCard: fc.Arbitrary<CardData> = fc
  .record({
    holderRate: fc.option(rateArb, { nil: null }),
    holderChronic: chronicArb,
    beneficiaries: fc.uniqueArray(
      fc.record({ index: fc.integer({ min: 1, max: 10 }), rate: fc.option(rateArb, { nil: null }), chronicConditions: chronicArb }),
      { maxLength: 4, selector: (b) => b.index },
    ),
    defaultRate: rateArb,
    status: fc.constantFrom('active', 'active', 'suspended') as fc.Arbitrary<'active' | 'suspended'>,
    tp: fc.boolean(),
    signature: fc.constantFrom('valid', 'valid', 'invalid', 'untrusted-key') as fc.Arbitrary<'valid' | 'invalid' | 'untrusted-key'>,
    validFrom: isoDay,
    validTo: isoDay,
    expires: isoDay,
  })
  .map((r) => {
    const c = card({ holderRate: r.holderRate, holderChronic: r.holderChronic, beneficiaries: r.beneficiaries.map((b) => beneficiary(b.index, b)) });
    c.rights = { validFrom: r.validFrom, validTo: r.validTo, status: r.status, defaultRate: r.defaultRate, thirdPartyPayment: r.tp };
    c.card.expires = r.expires;
    c.signature.status = r.signature;
    return c;
  });

const amount = fc.oneof(fc.integer({ min: 1, max: 2_000_000 }), fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 1e11 }));

export const arbProduct: fc.Arbitrary<ProductAtDate> = fc.record({
  registration: fc.string({ minLength: 1, maxLength: 12 }),
  name: fc.string({ maxLength: 20 }),
  ppa: fc.option(amount, { nil: null, freq: 15 }),
  tariff: fc.option(amount, { nil: null, freq: 2 }),
  reimbursable: fc.constantFrom(true, true, true, false, null),
});

const REFS = ['P0', 'P1', 'P2', 'P3', 'P4', 'P5'];

/** Products P0..P5, most of them in the catalog. */
export const arbCatalog = fc.dictionary(fc.constantFrom(...REFS), arbProduct, { minKeys: 3 });

export const arbLine: fc.Arbitrary<PrescriptionLine> = fc.record({
  // P6 is never in the catalog.
  product: fc.oneof({ arbitrary: fc.constantFrom(...REFS), weight: 12 }, { arbitrary: fc.constant('P6'), weight: 1 }),
  quantity: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 10_000 })),
  chronic: fc.option(fc.integer({ min: 1, max: 26 }), { nil: null }),
  ppa: fc.option(amount, { nil: null, freq: 3 }),
});

/**
 * A random prescription; about half the time on a card whose rights hold on the day for a
 * person on it, so that paid prescriptions are as well covered as refused ones.
 */
export const arbInput = fc
  .record({
    card: arbCard,
    beneficiary: fc.integer({ min: 0, max: 11 }),
    day: isoDay,
    lines: fc.array(arbLine, { minLength: 0, maxLength: 8 }),
    products: arbCatalog,
    ceiling: fc.option(fc.oneof(fc.integer({ min: 0, max: 2_000_000 }), fc.constant(500000)), { nil: null, freq: 4 }),
    healthy: fc.boolean(),
    pick: fc.nat(),
  })
  .map(({ healthy, pick, ...i }) => {
    if (!healthy) return i;
    const c = structuredClone(i.card);
    c.signature.status = 'valid';
    c.rights.status = 'active';
    c.rights.thirdPartyPayment = true;
    if (c.rights.validFrom > i.day) c.rights.validFrom = i.day;
    if (c.rights.validTo < i.day) c.rights.validTo = i.day;
    if (c.card.expires < i.day) c.card.expires = i.day;
    const people = [0, ...c.beneficiaries.map((b) => b.index)];
    return { ...i, card: c, beneficiary: people[pick % people.length]! };
  });
