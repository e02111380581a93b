/**
 * Stable codes of pricing and their sentences for people (data/rules/pricing-reasons.json).
 * `ReasonCode`: the refusals of third-party payment (pricing-rules.md, a closed list);
 * `NoteCode`: why a line's figures are what they are (this project's codes, docs/pricing.md).
 */
import messages from '../../../data/rules/pricing-reasons.json' with { type: 'json' };
import type { Lang } from './format.ts';

export const REASON_CODES = [
  'card-expired',
  'non-chronic-ceiling-exceeded',
  'rights-expired',
  'rights-not-yet-valid',
  'rights-suspended',
  'signature-invalid',
  'signature-untrusted-key',
  'third-party-payment-not-allowed',
  'unknown-beneficiary',
  'unknown-price',
  'unknown-product',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

export const NOTE_CODES = [
  'unknown-product',
  'unknown-price',
  'vignette-price',
  'catalog-price',
  'not-reimbursable',
  'reimbursable-unknown',
  'tariff-base',
  'ppa-base',
  'ppa-below-tariff',
  'chronic-100',
  'chronic-not-held',
  'personal-rate',
  'default-rate',
  'unknown-beneficiary',
  'rate-zero',
  'fund-rounded',
] as const;
export type NoteCode = (typeof NOTE_CODES)[number];

export interface CodedMessage<C extends string = string> {
  code: C;
  message: string;
}

type Sentences = Record<Lang, string>;
const reasonText: Record<ReasonCode, Sentences> = messages.reasons;
const noteText: Record<NoteCode, Sentences> = messages.notes;
type Params = Readonly<Record<string, string | number>>;

/**
 * A sentence split once into text and `{{name}}` holes: even parts are text, odd parts are
 * parameter names (pricing fills several sentences per line, tens of thousands of times a second).
 */
type Compiled = readonly string[];

function compile(template: string): Compiled {
  return template.split(/\{\{(\w+)\}\}/);
}

function compileAll<C extends string>(texts: Record<C, Sentences>): Record<Lang, Map<C, Compiled>> {
  const out = { fr: new Map<C, Compiled>(), ar: new Map<C, Compiled>(), en: new Map<C, Compiled>() };
  for (const code of Object.keys(texts) as C[]) {
    for (const lang of ['fr', 'ar', 'en'] as const) out[lang].set(code, compile(texts[code][lang]));
  }
  return out;
}

const reasonTemplates = compileAll(reasonText);
const noteTemplates = compileAll(noteText);

function fill(parts: Compiled, params: Params | undefined): string {
  if (parts.length === 1) return parts[0]!;
  let out = parts[0]!;
  for (let i = 1; i < parts.length; i += 2) {
    const key = parts[i]!;
    out += (params !== undefined && key in params ? String(params[key]) : `{{${key}}}`) + parts[i + 1]!;
  }
  return out;
}

export function reasonMessage(code: ReasonCode, lang: Lang, params?: Params): string {
  return fill(reasonTemplates[lang].get(code)!, params);
}

export function noteMessage(code: NoteCode, lang: Lang, params?: Params): string {
  return fill(noteTemplates[lang].get(code)!, params);
}

export function reason(code: ReasonCode, lang: Lang, params?: Params): CodedMessage<ReasonCode> {
  return { code, message: reasonMessage(code, lang, params) };
}

export function note(code: NoteCode, lang: Lang, params?: Params): CodedMessage<NoteCode> {
  return { code, message: noteMessage(code, lang, params) };
}
