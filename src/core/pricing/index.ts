/** Pricing of a prescription for third-party payment (pricing-rules.md); docs/pricing.md. */
export { pricePrescription, type PricingInput, type PricingResult, type PricingTotals } from './prescription.ts';
export { priceLine, type PricedLine } from './line.ts';
export { parseBeneficiary, parseCard, parseDay, parseLines, type PrescriptionLine } from './input.ts';
export { DEFAULT_PRICING_SETTINGS, settingsOn, pricingSettingsFileSchema, type DatedPricingSettings, type PricingSettings } from './settings.ts';
export { NOTE_CODES, REASON_CODES, type CodedMessage, type NoteCode, type ReasonCode } from './reasons.ts';
export { fundShare, fundShareBig } from './rounding.ts';
export { formatAmount, formatDay, formatRate, type Lang } from './format.ts';
