/**
 * The rate of a line (pricing-rules.md step 4, card-profile.md §3): 100 % when the line is
 * marked with a chronic condition the person holds on the day (valid-until inclusive), else
 * the person's personal rate when the card gives one (even 0), else the default rate.
 */
import type { CardData, ChronicCondition, IsoDate } from '../card/model.ts';
import type { PricingSettings } from './settings.ts';

/** The person being dispensed to, as far as pricing is concerned. */
export interface Person {
  /** 0 = holder. */
  index: number;
  /** False: the index is not on the card (priced at the default rate, no chronic condition). */
  onCard: boolean;
  rate: number | null;
  chronicConditions: readonly ChronicCondition[];
}

export function personOnCard(card: CardData, index: number): Person {
  if (index === 0) return { index, onCard: true, rate: card.holder.rate, chronicConditions: card.holder.chronicConditions };
  for (const b of card.beneficiaries) {
    if (b.index === index) return { index, onCard: true, rate: b.rate, chronicConditions: b.chronicConditions };
  }
  return { index, onCard: false, rate: null, chronicConditions: [] };
}

/** The entry of `code` that holds on `day` (the one valid longest when several do), or null. */
export function heldCondition(person: Person, code: number, day: IsoDate): ChronicCondition | null {
  let held: ChronicCondition | null = null;
  for (const c of person.chronicConditions) {
    if (c.code === code && c.validUntil >= day && (held === null || c.validUntil > held.validUntil)) held = c;
  }
  return held;
}

export type RateSource = 'chronic' | 'personal' | 'default';

export interface RateDecision {
  rate: number;
  source: RateSource;
  /** The condition that gave the chronic rate. */
  condition: ChronicCondition | null;
  /** The line was marked with this code but the person does not hold it on the day. */
  chronicNotHeld: number | null;
}

export function lineRate(card: CardData, person: Person, chronic: number | null, day: IsoDate, settings: PricingSettings): RateDecision {
  let chronicNotHeld: number | null = null;
  if (chronic !== null) {
    const held = heldCondition(person, chronic, day);
    if (held !== null) return { rate: settings.chronicRate, source: 'chronic', condition: held, chronicNotHeld: null };
    chronicNotHeld = chronic;
  }
  if (person.rate !== null) return { rate: person.rate, source: 'personal', condition: null, chronicNotHeld };
  return { rate: card.rights.defaultRate, source: 'default', condition: null, chronicNotHeld };
}
