/** One prescription line priced (pricing-rules.md, "Per line"). */
import type { CardData, IsoDate } from '../card/model.ts';
import type { ProductAtDate } from '../catalog/lookup.ts';
import { formatAmount, formatDay, formatRate, type Lang } from './format.ts';
import type { PrescriptionLine } from './input.ts';
import { lineRate, type Person } from './rates.ts';
import { note, type CodedMessage, type NoteCode } from './reasons.ts';
import { fundShare, times } from './rounding.ts';
import type { PricingSettings } from './settings.ts';

/** One line of the `chifa price` document. Amounts in centimes, the rate in basis points. */
export interface PricedLine {
  product: string;
  registration: string | null;
  name: string | null;
  quantity: number;
  ppa: number | null;
  tariff: number | null;
  base: number | null;
  rate: number | null;
  fund: number | null;
  patient: number | null;
  reimbursable: boolean | null;
  notes: CodedMessage<NoteCode>[];
}

export interface LineOutcome {
  line: PricedLine;
  /** Why the line cannot be priced; null when it is. */
  refusal: 'unknown-product' | 'unknown-price' | null;
  /** PPA × quantity when the line counts toward the non-chronic ceiling (reimbursable, not 100 % through a held chronic condition), else 0. */
  ceilingPart: number;
}

export interface LineContext {
  card: CardData;
  person: Person;
  day: IsoDate;
  /** The day as people read it in `lang` (computed once per prescription). */
  dayText: string;
  settings: PricingSettings;
  lang: Lang;
}

export function lineContext(card: CardData, person: Person, day: IsoDate, settings: PricingSettings, lang: Lang): LineContext {
  return { card, person, day, dayText: formatDay(day, lang), settings, lang };
}

function known(
  input: PrescriptionLine,
  product: ProductAtDate,
  ppa: number | null,
  base: number | null,
  rate: number | null,
  fund: number | null,
  patient: number | null,
  notes: CodedMessage<NoteCode>[],
): PricedLine {
  return {
    product: input.product,
    registration: product.registration,
    name: product.name,
    quantity: input.quantity,
    ppa,
    tariff: product.tariff,
    base,
    rate,
    fund,
    patient,
    reimbursable: product.reimbursable === true,
    notes,
  };
}

/** `where` names the line in an error (`line 2`) when an amount is too large for JSON. */
export function priceLine(input: PrescriptionLine, product: ProductAtDate | null, where: string, ctx: LineContext): LineOutcome {
  const { lang } = ctx;
  const notes: CodedMessage<NoteCode>[] = [];

  // 1. Unit PPA: the vignette's, else the catalog's on the day; else the line cannot be priced.
  if (product === null) {
    notes.push(note('unknown-product', lang));
    const line: PricedLine = {
      product: input.product,
      registration: null,
      name: null,
      quantity: input.quantity,
      ppa: null,
      tariff: null,
      base: null,
      rate: null,
      fund: null,
      patient: null,
      reimbursable: null,
      notes,
    };
    return { line, refusal: 'unknown-product', ceilingPart: 0 };
  }
  const ppa = input.ppa ?? product.ppa;
  if (ppa === null) {
    notes.push(note('unknown-price', lang, { day: ctx.dayText }));
    return { line: known(input, product, null, null, null, null, null, notes), refusal: 'unknown-price', ceilingPart: 0 };
  }
  notes.push(input.ppa !== null ? note('vignette-price', lang, { ppa: formatAmount(ppa, lang) }) : note('catalog-price', lang, { ppa: formatAmount(ppa, lang), day: ctx.dayText }));
  const price = times(ppa, input.quantity, `${where}: PPA × quantity`);

  // 2. Not reimbursable (false, or unknown): base 0, fund 0, the patient pays PPA × quantity.
  if (product.reimbursable !== true) {
    notes.push(note(product.reimbursable === false ? 'not-reimbursable' : 'reimbursable-unknown', lang));
    return { line: known(input, product, ppa, 0, null, 0, price, notes), refusal: null, ceilingPart: 0 };
  }

  // 3. Base: TR when there is one and PPA ≥ TR, else PPA.
  const tariff = product.tariff;
  let base: number;
  if (tariff === null) {
    base = ppa;
    notes.push(note('ppa-base', lang));
  } else if (ppa >= tariff) {
    base = tariff;
    notes.push(note('tariff-base', lang, { tariff: formatAmount(tariff, lang) }));
  } else {
    base = ppa;
    notes.push(note('ppa-below-tariff', lang, { tariff: formatAmount(tariff, lang) }));
  }

  // 4. Rate.
  const decision = lineRate(ctx.card, ctx.person, input.chronic, ctx.day, ctx.settings);
  const rate = decision.rate;
  if (decision.chronicNotHeld !== null) notes.push(note('chronic-not-held', lang, { code: decision.chronicNotHeld, day: ctx.dayText }));
  if (decision.condition !== null) {
    notes.push(note('chronic-100', lang, { code: decision.condition.code, validUntil: formatDay(decision.condition.validUntil, lang), rate: formatRate(rate, lang) }));
  } else if (decision.source === 'personal') {
    notes.push(note('personal-rate', lang, { rate: formatRate(rate, lang) }));
  } else {
    if (!ctx.person.onCard) notes.push(note('unknown-beneficiary', lang, { index: ctx.person.index }));
    notes.push(note('default-rate', lang, { rate: formatRate(rate, lang) }));
  }
  if (rate === 0) notes.push(note('rate-zero', lang));

  // 5. Fund share rounded half up; the patient pays the rest of PPA × quantity.
  const share = fundShare(base, input.quantity, rate);
  if (share.rounded) notes.push(note('fund-rounded', lang));
  return {
    line: known(input, product, ppa, base, rate, share.fund, price - share.fund, notes),
    refusal: null,
    ceilingPart: decision.source === 'chronic' ? 0 : price,
  };
}
