/** pricing-rules.md, rule by rule, against an in-memory catalog. */
import { describe, expect, it } from 'vitest';
import { pricePrescription } from '../../src/core/pricing/prescription.ts';
import { REASON_CODES } from '../../src/core/pricing/reasons.ts';
import { settingsOn } from '../../src/core/pricing/settings.ts';
import { beneficiary, card, catalog, codes, DAY, line, LOPRIL, price, product, SETTINGS } from './pricing-fixtures.ts';

describe('worked example (Lopril 50 mg, PPA 899.00 DA, TR 313.00 DA)', () => {
  it('at 80 %: fund 250.40 DA, patient 648.60 DA', () => {
    const r = price();
    expect(r.thirdPartyPayment).toBe(true);
    expect(r.reasons).toEqual([]);
    expect(r.lines).toHaveLength(1);
    const l = r.lines[0]!;
    expect({ ...l, notes: undefined }).toEqual({
      product: 'LOPRIL',
      registration: LOPRIL.registration,
      name: LOPRIL.name,
      quantity: 1,
      ppa: 89900,
      tariff: 31300,
      base: 31300,
      rate: 8000,
      fund: 25040,
      patient: 64860,
      reimbursable: true,
      notes: undefined,
    });
    expect(codes(l.notes)).toEqual(['catalog-price', 'tariff-base', 'default-rate']);
    expect(r.totals).toEqual({ price: 89900, fund: 25040, patient: 64860 });
  });

  it('at 100 % (chronic condition held): fund 313.00 DA, patient 586.00 DA', () => {
    const r = price({ card: card({ holderChronic: [{ code: 12, validUntil: '2027-06-30' }] }), lines: [line('LOPRIL', { chronic: 12 })] });
    const l = r.lines[0]!;
    expect([l.base, l.rate, l.fund, l.patient]).toEqual([31300, 10000, 31300, 58600]);
    expect(codes(l.notes)).toEqual(['catalog-price', 'tariff-base', 'chronic-100']);
    expect(r.totals).toEqual({ price: 89900, fund: 31300, patient: 58600 });
    expect(r.thirdPartyPayment).toBe(true);
  });

  it('the contract document has exactly its keys', () => {
    const r = price();
    expect(Object.keys(r).sort()).toEqual(['lines', 'reasons', 'thirdPartyPayment', 'totals']);
    expect(Object.keys(r.lines[0]!).sort()).toEqual(['base', 'fund', 'name', 'notes', 'patient', 'ppa', 'product', 'quantity', 'rate', 'registration', 'reimbursable', 'tariff']);
    expect(Object.keys(r.totals).sort()).toEqual(['fund', 'patient', 'price']);
  });

  it('quantity multiplies price, base and fund share', () => {
    const l = price({ lines: [line('LOPRIL', { quantity: 3 })] }).lines[0]!;
    expect([l.ppa, l.base, l.fund, l.patient]).toEqual([89900, 31300, 75120, 269700 - 75120]);
  });

  it('asks the catalog for the product as of the dispensing day', () => {
    const cat = catalog();
    price({ catalog: cat, day: '2026-07-01' });
    expect(cat.asked).toEqual([{ ref: 'LOPRIL', day: '2026-07-01' }]);
  });
});

describe('unit PPA', () => {
  it('the vignette price overrides the catalog', () => {
    const l = price({ lines: [line('LOPRIL', { ppa: 95000 })] }).lines[0]!;
    expect([l.ppa, l.base, l.fund, l.patient]).toEqual([95000, 31300, 25040, 95000 - 25040]);
    expect(codes(l.notes)[0]).toBe('vignette-price');
  });

  it('a product without a catalog price is priced from its vignette', () => {
    const cat = catalog({ X: product({ registration: 'X/1/22', ppa: null, tariff: null }) });
    const r = price({ catalog: cat, lines: [line('X', { ppa: 12345 })] });
    expect(r.thirdPartyPayment).toBe(true);
    const l = r.lines[0]!;
    expect([l.ppa, l.base, l.rate, l.fund, l.patient]).toEqual([12345, 12345, 8000, 9876, 12345 - 9876]);
    expect(codes(l.notes)).toEqual(['vignette-price', 'ppa-base', 'default-rate']);
  });

  it('a known product with no price either way: unknown-price, line not priced', () => {
    const cat = catalog({ LOPRIL, X: product({ registration: 'X/1/22', name: 'XANA', ppa: null, tariff: 5000, reimbursable: true }) });
    const r = price({ catalog: cat, lines: [line('LOPRIL'), line('X', { quantity: 2 })] });
    expect(r.thirdPartyPayment).toBe(false);
    expect(codes(r.reasons)).toEqual(['unknown-price']);
    expect(r.reasons[0]!.message).toContain('X');
    const l = r.lines[1]!;
    expect(l).toMatchObject({ product: 'X', registration: 'X/1/22', name: 'XANA', quantity: 2, tariff: 5000, reimbursable: true, ppa: null, base: null, rate: null, fund: null, patient: null });
    expect(codes(l.notes)).toEqual(['unknown-price']);
    // Totals over the lines that have a price; fund 0 without third-party payment.
    expect(r.totals).toEqual({ price: 89900, fund: 0, patient: 89900 });
    // The priced line still shows its shares as they would be.
    expect(r.lines[0]!.fund).toBe(25040);
  });

  it('a product not in the catalog: unknown-product, line with nulls, even with a vignette', () => {
    const r = price({ lines: [line('NOPE', { ppa: 5000, chronic: 3 }), line('LOPRIL')] });
    expect(codes(r.reasons)).toEqual(['unknown-product']);
    expect(r.lines[0]).toEqual({
      product: 'NOPE',
      registration: null,
      name: null,
      quantity: 1,
      ppa: null,
      tariff: null,
      base: null,
      rate: null,
      fund: null,
      patient: null,
      reimbursable: null,
      notes: [{ code: 'unknown-product', message: expect.any(String) }],
    });
    expect(r.totals).toEqual({ price: 89900, fund: 0, patient: 89900 });
  });

  it('several unknown products: one reason naming each once', () => {
    const r = price({ lines: [line('A'), line('B'), line('A')] });
    expect(r.reasons).toHaveLength(1);
    expect(r.reasons[0]!.message).toContain('A, B');
    expect(r.totals).toEqual({ price: 0, fund: 0, patient: 0 });
  });
});

describe('reimbursable', () => {
  it('not reimbursable: base 0, rate null, fund 0, patient pays PPA × quantity, tariff kept', () => {
    const cat = catalog({ N: product({ registration: 'N/1/22', ppa: 45000, tariff: 30000, reimbursable: false }) });
    const r = price({ catalog: cat, lines: [line('N', { quantity: 2, chronic: 12 })], card: card({ holderChronic: [{ code: 12, validUntil: '2030-01-01' }] }) });
    expect(r.lines[0]).toMatchObject({ ppa: 45000, tariff: 30000, base: 0, rate: null, fund: 0, patient: 90000, reimbursable: false });
    expect(codes(r.lines[0]!.notes)).toEqual(['catalog-price', 'not-reimbursable']);
    expect(r.thirdPartyPayment).toBe(true);
    expect(r.totals).toEqual({ price: 90000, fund: 0, patient: 90000 });
  });

  it('unknown (null) counts as not reimbursable, and the note says why', () => {
    const cat = catalog({ U: product({ registration: 'U/1/22', ppa: 45000, tariff: null, reimbursable: null }) });
    const l = price({ catalog: cat, lines: [line('U')] }).lines[0]!;
    expect(l).toMatchObject({ base: 0, rate: null, fund: 0, patient: 45000, reimbursable: false, tariff: null });
    expect(codes(l.notes)).toEqual(['catalog-price', 'reimbursable-unknown']);
  });
});

describe('base', () => {
  const at = (ppa: number, tariff: number | null) => price({ catalog: catalog({ P: product({ registration: 'P/1/22', ppa, tariff }) }), lines: [line('P')] }).lines[0]!;
  it('TR when PPA ≥ TR', () => {
    expect(at(1000, 700).base).toBe(700);
    expect(codes(at(1000, 700).notes)).toContain('tariff-base');
  });
  it('TR when PPA = TR', () => expect(at(700, 700).base).toBe(700));
  it('PPA when PPA < TR', () => {
    const l = at(600, 700);
    expect([l.base, l.fund, l.patient]).toEqual([600, 480, 120]);
    expect(codes(l.notes)).toContain('ppa-below-tariff');
  });
  it('PPA when there is no TR', () => {
    const l = at(600, null);
    expect([l.base, l.tariff]).toEqual([600, null]);
    expect(codes(l.notes)).toContain('ppa-base');
  });
});

describe('rate', () => {
  const held = { code: 12, validUntil: DAY };
  it('chronic condition valid until the dispensing day: held, 100 %', () => {
    const l = price({ card: card({ holderChronic: [held] }), lines: [line('LOPRIL', { chronic: 12 })] }).lines[0]!;
    expect(l.rate).toBe(10000);
  });
  it('chronic condition that expired the day before: not held, ordinary rate, note', () => {
    const l = price({ card: card({ holderChronic: [held] }), day: '2026-03-16', lines: [line('LOPRIL', { chronic: 12 })] }).lines[0]!;
    expect(l.rate).toBe(8000);
    expect(codes(l.notes)).toEqual(['catalog-price', 'tariff-base', 'chronic-not-held', 'default-rate']);
  });
  it('a condition the person does not hold at all: ordinary rate', () => {
    const l = price({ card: card({ holderChronic: [held] }), lines: [line('LOPRIL', { chronic: 13 })] }).lines[0]!;
    expect(l.rate).toBe(8000);
    expect(codes(l.notes)).toContain('chronic-not-held');
  });
  it('a condition of another person on the card does not count', () => {
    const c = card({ beneficiaries: [beneficiary(1, { chronicConditions: [held] })] });
    expect(price({ card: c, lines: [line('LOPRIL', { chronic: 12 })] }).lines[0]!.rate).toBe(8000);
    expect(price({ card: c, beneficiary: 1, lines: [line('LOPRIL', { chronic: 12 })] }).lines[0]!.rate).toBe(10000);
  });
  it('an unmarked line gets the ordinary rate even when the person holds a condition', () => {
    expect(price({ card: card({ holderChronic: [held] }) }).lines[0]!.rate).toBe(8000);
  });
  it('two entries of the same code: held when either is still valid', () => {
    const c = card({ holderChronic: [{ code: 12, validUntil: '2025-01-01' }, { code: 12, validUntil: '2026-06-30' }] });
    const l = price({ card: c, lines: [line('LOPRIL', { chronic: 12 })] }).lines[0]!;
    expect(l.rate).toBe(10000);
    expect(l.notes.find((n) => n.code === 'chronic-100')!.message).toContain('2026-06-30');
  });
  it('personal rate overrides the default rate', () => {
    const l = price({ card: card({ holderRate: 9000 }) }).lines[0]!;
    expect([l.rate, l.fund]).toEqual([9000, 28170]);
    expect(codes(l.notes)).toContain('personal-rate');
  });
  it('personal rate 0 is a rate: fund 0, note', () => {
    const l = price({ card: card({ holderRate: 0 }) }).lines[0]!;
    expect([l.rate, l.fund, l.patient]).toEqual([0, 0, 89900]);
    expect(codes(l.notes)).toEqual(['catalog-price', 'tariff-base', 'personal-rate', 'rate-zero']);
  });
  it('default rate 0 also gives rate-zero', () => {
    const c = card();
    c.rights.defaultRate = 0;
    expect(codes(price({ card: c }).lines[0]!.notes)).toContain('rate-zero');
  });
  it('a held chronic condition beats a personal rate of 0', () => {
    const l = price({ card: card({ holderRate: 0, holderChronic: [held] }), lines: [line('LOPRIL', { chronic: 12 })] }).lines[0]!;
    expect(l.rate).toBe(10000);
  });
  it("a dependant's personal rate", () => {
    const c = card({ beneficiaries: [beneficiary(4, { rate: 10000 })] });
    expect(price({ card: c, beneficiary: 4 }).lines[0]!.rate).toBe(10000);
  });
  it('on an individual card, index 0 (the insured) is priced like anyone on the card', () => {
    const c = card({ type: 'individual', holderRate: 9000, beneficiaries: [beneficiary(1, { rate: null })] });
    const r0 = price({ card: c, beneficiary: 0 });
    expect(r0.thirdPartyPayment).toBe(true);
    expect(r0.lines[0]!.rate).toBe(9000);
    const r1 = price({ card: c, beneficiary: 1 });
    expect(r1.thirdPartyPayment).toBe(true);
    expect(r1.lines[0]!.rate).toBe(8000);
  });
});

describe('unknown beneficiary', () => {
  it('reason, lines priced at the default rate with no chronic condition', () => {
    const c = card({ holderRate: 10000, holderChronic: [{ code: 12, validUntil: '2030-01-01' }], beneficiaries: [beneficiary(1, { rate: 10000 })] });
    const r = price({ card: c, beneficiary: 2, lines: [line('LOPRIL', { chronic: 12 })] });
    expect(codes(r.reasons)).toEqual(['unknown-beneficiary']);
    expect(r.reasons[0]!.message).toContain('2');
    const l = r.lines[0]!;
    expect([l.rate, l.fund, l.patient]).toEqual([8000, 25040, 64860]);
    expect(codes(l.notes)).toEqual(['catalog-price', 'tariff-base', 'chronic-not-held', 'unknown-beneficiary', 'default-rate']);
    expect(r.totals).toEqual({ price: 89900, fund: 0, patient: 89900 });
  });
});

describe('refusals of third-party payment', () => {
  const refused = (mutate: (c: ReturnType<typeof card>) => void, day = DAY) => {
    const c = card();
    mutate(c);
    return price({ card: c, day });
  };
  it('signature-invalid', () => expect(codes(refused((c) => (c.signature.status = 'invalid')).reasons)).toEqual(['signature-invalid']));
  it('signature-untrusted-key', () => expect(codes(refused((c) => (c.signature.status = 'untrusted-key')).reasons)).toEqual(['signature-untrusted-key']));
  it('rights-suspended', () => expect(codes(refused((c) => (c.rights.status = 'suspended')).reasons)).toEqual(['rights-suspended']));
  it('rights-not-yet-valid (the day before validFrom), valid on validFrom', () => {
    expect(codes(refused(() => undefined, '2025-12-31').reasons)).toEqual(['rights-not-yet-valid']);
    expect(refused(() => undefined, '2026-01-01').thirdPartyPayment).toBe(true);
  });
  it('rights-expired (the day after validTo), valid on validTo', () => {
    expect(refused(() => undefined, '2026-12-31').thirdPartyPayment).toBe(true);
    expect(codes(refused(() => undefined, '2027-01-01').reasons)).toEqual(['rights-expired']);
  });
  it('card-expired (the day after expiry), valid on the expiry day', () => {
    expect(refused((c) => (c.card.expires = DAY)).thirdPartyPayment).toBe(true);
    expect(codes(refused((c) => (c.card.expires = '2026-03-14')).reasons)).toEqual(['card-expired']);
  });
  it('third-party-payment-not-allowed', () => expect(codes(refused((c) => (c.rights.thirdPartyPayment = false)).reasons)).toEqual(['third-party-payment-not-allowed']));

  it('every refusal that holds, each once, sorted by code; lines still show their shares', () => {
    const c = card();
    c.signature.status = 'untrusted-key';
    c.rights = { validFrom: '2024-01-01', validTo: '2025-12-31', status: 'suspended', defaultRate: 8000, thirdPartyPayment: false };
    c.card.expires = '2026-01-31';
    const big = product({ registration: 'BIG/1/22', ppa: 600000, tariff: null });
    const r = pricePrescription({
      card: c,
      beneficiary: 9,
      day: DAY,
      lines: [line('LOPRIL'), line('BIG'), line('NOPE'), line('NOPE'), line('NOPRICE')],
      catalog: catalog({ LOPRIL, BIG: big, NOPRICE: product({ registration: 'NP/1/22', ppa: null }) }),
      settings: SETTINGS,
      lang: 'fr',
    });
    expect(codes(r.reasons)).toEqual([
      'card-expired',
      'non-chronic-ceiling-exceeded',
      'rights-expired',
      'rights-suspended',
      'signature-untrusted-key',
      'third-party-payment-not-allowed',
      'unknown-beneficiary',
      'unknown-price',
      'unknown-product',
    ]);
    expect(r.thirdPartyPayment).toBe(false);
    expect(r.lines[0]!.fund).toBe(25040);
    expect(r.lines[1]!.fund).toBe(480000);
    expect(r.totals).toEqual({ price: 689900, fund: 0, patient: 689900 });
  });

  it('rights not yet valid and expired card at once', () => {
    const c = card();
    c.rights.validFrom = '2027-01-01';
    c.card.expires = '2026-01-01';
    expect(codes(price({ card: c }).reasons)).toEqual(['card-expired', 'rights-not-yet-valid']);
  });

  it('every reason code of pricing-rules.md can be produced', () => {
    const seen = new Set<string>();
    const c = card();
    c.signature.status = 'invalid';
    c.rights = { validFrom: '2027-01-01', validTo: '2025-01-01', status: 'suspended', defaultRate: 8000, thirdPartyPayment: false };
    c.card.expires = '2026-01-01';
    const r = price({ card: c, beneficiary: 5, lines: [line('NOPE'), line('NP'), line('BIG')], catalog: catalog({ NP: product({ registration: 'NP', ppa: null }), BIG: product({ registration: 'BIG', ppa: 500001 }) }) });
    for (const x of r.reasons) seen.add(x.code);
    c.signature.status = 'untrusted-key';
    for (const x of price({ card: c }).reasons) seen.add(x.code);
    expect([...seen].sort()).toEqual([...REASON_CODES].sort());
    expect(REASON_CODES).toHaveLength(11);
  });
});

describe('non-chronic ceiling', () => {
  const priced = (ppa: number, extra: ReturnType<typeof line>[] = [], products = {}) =>
    price({
      card: card({ holderChronic: [{ code: 12, validUntil: '2030-01-01' }] }),
      catalog: catalog({ P: product({ registration: 'P', ppa, tariff: null }), LOPRIL, ...products }),
      lines: [line('P'), ...extra],
    });
  it('just under the ceiling', () => expect(priced(499999).thirdPartyPayment).toBe(true));
  it('equal to the ceiling is within it', () => expect(priced(500000).thirdPartyPayment).toBe(true));
  it('one centime over refuses', () => {
    const r = priced(500001);
    expect(codes(r.reasons)).toEqual(['non-chronic-ceiling-exceeded']);
    expect(r.reasons[0]!.message).toContain('5,000.01 DA');
    expect(r.reasons[0]!.message).toContain('5,000.00 DA');
    expect(r.totals).toEqual({ price: 500001, fund: 0, patient: 500001 });
  });
  it('counts PPA × quantity over the lines, not the base', () => {
    const cat = catalog({ LOPRIL });
    // 89900 × 5 = 449500; × 6 = 539400.
    expect(price({ catalog: cat, lines: [line('LOPRIL', { quantity: 5 })] }).thirdPartyPayment).toBe(true);
    expect(codes(price({ catalog: cat, lines: [line('LOPRIL', { quantity: 6 })] }).reasons)).toEqual(['non-chronic-ceiling-exceeded']);
  });
  it('lines at 100 % through a held chronic condition are left out', () => {
    const r = priced(400000, [line('LOPRIL', { quantity: 10, chronic: 12 })]);
    expect(r.thirdPartyPayment).toBe(true);
    expect(r.totals.price).toBe(400000 + 899000);
  });
  it('a line marked with a condition that is not held counts', () => {
    const r = priced(450000, [line('LOPRIL', { chronic: 13 })]);
    expect(codes(r.reasons)).toEqual(['non-chronic-ceiling-exceeded']);
  });
  it('a personal rate of 100 % is not a chronic condition: the line counts', () => {
    const r = price({ card: card({ holderRate: 10000 }), catalog: catalog({ P: product({ registration: 'P', ppa: 500001 }) }), lines: [line('P')] });
    expect(codes(r.reasons)).toEqual(['non-chronic-ceiling-exceeded']);
  });
  it('non-reimbursable and unknown-reimbursable lines do not count', () => {
    const r = priced(500000, [line('N'), line('U')], {
      N: product({ registration: 'N', ppa: 900000, reimbursable: false }),
      U: product({ registration: 'U', ppa: 900000, reimbursable: null }),
    });
    expect(r.thirdPartyPayment).toBe(true);
    expect(r.totals).toEqual({ price: 2300000, fund: 400000, patient: 1900000 });
  });
  it('the vignette price is what counts', () => {
    expect(codes(price({ lines: [line('LOPRIL', { ppa: 500001 })] }).reasons)).toEqual(['non-chronic-ceiling-exceeded']);
  });
  it('null: no ceiling', () => {
    const r = price({ settings: { nonChronicCeiling: null, chronicRate: 10000 }, lines: [line('LOPRIL', { quantity: 1000 })] });
    expect(r.thirdPartyPayment).toBe(true);
  });
  it('a setting of another amount, picked by date from the effective-dated list', () => {
    const list = [
      { validFrom: '2006-01-01', nonChronicCeiling: 500000, chronicRate: 10000 },
      { validFrom: '2026-04-01', nonChronicCeiling: 1000000, chronicRate: 10000 },
    ];
    const lines = [line('LOPRIL', { quantity: 6 })];
    expect(price({ settings: list, day: '2026-03-31', lines }).thirdPartyPayment).toBe(false);
    expect(price({ settings: list, day: '2026-04-01', lines }).thirdPartyPayment).toBe(true);
    expect(settingsOn(list, '2026-04-01').nonChronicCeiling).toBe(1000000);
  });
});

describe('totals', () => {
  it('sum over priced lines; fund only when third-party payment applies', () => {
    const cat = catalog({ LOPRIL, N: product({ registration: 'N', ppa: 1000, reimbursable: false }) });
    const r = price({ catalog: cat, lines: [line('LOPRIL', { quantity: 2 }), line('N', { quantity: 3 })] });
    expect(r.totals).toEqual({ price: 179800 + 3000, fund: 50080, patient: 179800 + 3000 - 50080 });
  });
  it('an empty prescription is zero and payable', () => {
    const r = price({ lines: [] });
    expect(r).toEqual({ thirdPartyPayment: true, reasons: [], lines: [], totals: { price: 0, fund: 0, patient: 0 } });
  });
});

describe('messages', () => {
  it('in the language asked, French by default', () => {
    const c = card();
    c.rights.status = 'suspended';
    const fr = pricePrescription({ card: c, beneficiary: 0, day: DAY, lines: [line('LOPRIL')], catalog: catalog(), settings: SETTINGS });
    const ar = price({ card: c, lang: 'ar' });
    const en = price({ card: c, lang: 'en' });
    expect(fr.reasons[0]!.message).toMatch(/suspendus/);
    expect(en.reasons[0]!.message).toMatch(/suspended/);
    expect(ar.reasons[0]!.message).toMatch(/معلقة/);
    expect(fr.lines[0]!.notes[0]!.message).toContain('899,00 DA');
    expect(ar.lines[0]!.notes[0]!.message).toContain('899,00 دج');
  });
  it('amounts grouped by thousands: 1 234,56 DA', () => {
    const r = price({ lines: [line('LOPRIL', { ppa: 123456 })], lang: 'fr' });
    expect(r.lines[0]!.notes[0]!.message).toContain('1 234,56 DA');
  });
});
