/**
 * Effective-dated settings of pricing-rules.md (data/rules/pricing-settings.json): the entry
 * in force on a day is the one with the latest `validFrom` on or before it.
 */
import { z } from 'zod';
import { isIsoDate } from '../card/dates.ts';
import type { IsoDate } from '../card/model.ts';
import { FULL_RATE } from './rounding.ts';

export interface PricingSettings {
  /** Centimes; null: no ceiling. */
  nonChronicCeiling: number | null;
  /** Basis points of a line marked with a chronic condition the person holds (100 %). */
  chronicRate: number;
}

export interface DatedPricingSettings extends PricingSettings {
  validFrom: IsoDate;
}

/** The defaults pricing-rules.md gives, in force when no entry is (a day before every validFrom). */
export const DEFAULT_PRICING_SETTINGS: PricingSettings = Object.freeze({ nonChronicCeiling: 500000, chronicRate: FULL_RATE });

const day = z.string().refine((s) => isIsoDate(s), 'must be a calendar date YYYY-MM-DD');

export const datedPricingSettingsSchema = z.strictObject({
  validFrom: day,
  nonChronicCeiling: z.int().min(0).nullable(),
  chronicRate: z.int().min(0).max(FULL_RATE).default(FULL_RATE),
});

export const pricingSettingsFileSchema = z
  .object({
    $comment: z.string().optional(),
    settings: z.array(datedPricingSettingsSchema).min(1),
  })
  .superRefine((doc, ctx) => {
    const seen = new Set<string>();
    doc.settings.forEach((s, i) => {
      if (seen.has(s.validFrom)) ctx.addIssue({ code: 'custom', path: ['settings', i, 'validFrom'], message: `validFrom ${s.validFrom} is given twice` });
      seen.add(s.validFrom);
    });
  });

/** The settings in force on `day`; the rules' defaults before the first entry. */
export function settingsOn(list: readonly DatedPricingSettings[], on: IsoDate): PricingSettings {
  let best: DatedPricingSettings | null = null;
  for (const s of list) {
    if (s.validFrom <= on && (best === null || s.validFrom > best.validFrom)) best = s;
  }
  if (best === null) return DEFAULT_PRICING_SETTINGS;
  return { nonChronicCeiling: best.nonChronicCeiling, chronicRate: best.chronicRate };
}
