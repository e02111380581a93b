/**
 * A prescription priced for one person on one day (pricing-rules.md, "Per prescription"):
 * the exact document of `chifa price --json` (json-contract.md). Pure: the catalog is an
 * interface, the settings and the card are values.
 */
import type { CardData, IsoDate } from '../card/model.ts';
import type { CatalogLookup } from '../catalog/lookup.ts';
import { formatAmount, formatDay, type Lang } from './format.ts';
import type { PrescriptionLine } from './input.ts';
import { lineContext, priceLine, type PricedLine } from './line.ts';
import { personOnCard } from './rates.ts';
import { reason, type CodedMessage, type ReasonCode } from './reasons.ts';
import { plus } from './rounding.ts';
import { settingsOn, type DatedPricingSettings, type PricingSettings } from './settings.ts';

export interface PricingInput {
  /** The `card read --json` document. */
  card: CardData;
  /** 0 = holder. */
  beneficiary: number;
  /** The dispensing day, `YYYY-MM-DD` in the terminal's time zone. */
  day: IsoDate;
  lines: readonly PrescriptionLine[];
  catalog: CatalogLookup;
  /** The settings in force, or the effective-dated list (the entry in force on `day` is taken). */
  settings: PricingSettings | readonly DatedPricingSettings[];
  /** Language of the messages; default `fr`. */
  lang?: Lang;
}

export interface PricingTotals {
  price: number;
  fund: number;
  patient: number;
}

export interface PricingResult {
  thirdPartyPayment: boolean;
  /** Every refusal that holds, each code once, sorted by code; empty exactly when thirdPartyPayment. */
  reasons: CodedMessage<ReasonCode>[];
  lines: PricedLine[];
  totals: PricingTotals;
}

export function pricePrescription(input: PricingInput): PricingResult {
  const { card, day } = input;
  const lang = input.lang ?? 'fr';
  const settings = isDatedList(input.settings) ? settingsOn(input.settings, day) : input.settings;
  const person = personOnCard(card, input.beneficiary);
  const refusals: Refusals = new Map();

  // The card and the person.
  if (card.signature.status === 'invalid') refuse(refusals, lang, 'signature-invalid');
  else if (card.signature.status === 'untrusted-key') refuse(refusals, lang, 'signature-untrusted-key');
  const rights = card.rights;
  if (rights.status === 'suspended') refuse(refusals, lang, 'rights-suspended');
  if (day < rights.validFrom) refuse(refusals, lang, 'rights-not-yet-valid', { date: formatDay(rights.validFrom, lang) });
  if (day > rights.validTo) refuse(refusals, lang, 'rights-expired', { date: formatDay(rights.validTo, lang) });
  if (day > card.card.expires) refuse(refusals, lang, 'card-expired', { date: formatDay(card.card.expires, lang) });
  if (!rights.thirdPartyPayment) refuse(refusals, lang, 'third-party-payment-not-allowed');
  if (!person.onCard) refuse(refusals, lang, 'unknown-beneficiary', { index: person.index });

  // The lines.
  const ctx = lineContext(card, person, day, settings, lang);
  const lines: PricedLine[] = [];
  const unknownProducts: string[] = [];
  const unknownPrices: string[] = [];
  let nonChronic = 0;
  let price = 0;
  let fund = 0;
  for (let i = 0; i < input.lines.length; i++) {
    const l = input.lines[i]!;
    const outcome = priceLine(l, input.catalog.product(l.product, day), `line ${i + 1}`, ctx);
    lines.push(outcome.line);
    if (outcome.refusal === 'unknown-product') unknownProducts.push(l.product);
    else if (outcome.refusal === 'unknown-price') unknownPrices.push(l.product);
    nonChronic = plus(nonChronic, outcome.ceilingPart, 'total of the non-chronic lines');
    const priced = outcome.line;
    if (priced.ppa !== null && priced.patient !== null && priced.fund !== null) {
      price = plus(price, priced.fund + priced.patient, 'total price');
      fund = plus(fund, priced.fund, 'total fund share');
    }
  }
  if (unknownProducts.length > 0) refuse(refusals, lang, 'unknown-product', { products: distinct(unknownProducts).join(', ') });
  if (unknownPrices.length > 0) refuse(refusals, lang, 'unknown-price', { products: distinct(unknownPrices).join(', ') });
  const ceiling = settings.nonChronicCeiling;
  if (ceiling !== null && nonChronic > ceiling) {
    refuse(refusals, lang, 'non-chronic-ceiling-exceeded', { total: formatAmount(nonChronic, lang), ceiling: formatAmount(ceiling, lang) });
  }

  const reasons = [...refusals.values()].sort(byCode);
  const thirdPartyPayment = reasons.length === 0;
  const paid = thirdPartyPayment ? fund : 0;
  return { thirdPartyPayment, reasons, lines, totals: { price, fund: paid, patient: price - paid } };
}

type Refusals = Map<ReasonCode, CodedMessage<ReasonCode>>;

/** Each code once: the first sentence wins. */
function refuse(refusals: Refusals, lang: Lang, code: ReasonCode, params?: Record<string, string | number>): void {
  if (!refusals.has(code)) refusals.set(code, reason(code, lang, params));
}

function byCode(a: CodedMessage, b: CodedMessage): number {
  return a.code < b.code ? -1 : a.code > b.code ? 1 : 0;
}

function isDatedList(s: PricingSettings | readonly DatedPricingSettings[]): s is readonly DatedPricingSettings[] {
  return Array.isArray(s);
}

function distinct(list: string[]): string[] {
  return [...new Set(list)];
}
