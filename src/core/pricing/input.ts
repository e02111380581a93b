/**
 * What `chifa price` takes in, checked before anything is priced: the prescription's lines
 * (json-contract.md: anything else is `invalid-input`) and the card document (the output of
 * `card read --json`). Pure: the caller reads the files and parses the JSON.
 *
 * Lines are strict: a key that is not `product`, `quantity`, `chronic` or `ppa` is refused,
 * since a misspelt `ppa` or `chronic` would otherwise be silently ignored and change the
 * price. The card document may carry keys a later `card read` adds (the contract allows it).
 */
import { z } from 'zod';
import { isIsoDate } from '../card/dates.ts';
import type { CardData, IsoDate } from '../card/model.ts';
import { ChifaError } from '../errors.ts';
import { CARD_TYPES, INSURED_STATUSES, RELATIONSHIPS, RIGHTS_STATUSES, SEXES } from '../card/profile.ts';
import { FULL_RATE } from './rounding.ts';

export interface PrescriptionLine {
  /** Registration number or barcode, as typed or scanned. */
  product: string;
  /** Packs, integer ≥ 1. */
  quantity: number;
  /** The chronic condition (ALD) code the prescriber marked, 1..26; null for none. */
  chronic: number | null;
  /** The vignette's public price in centimes, > 0; null when not given. */
  ppa: number | null;
}

export const CHRONIC_CODE_MIN = 1;
export const CHRONIC_CODE_MAX = 26;

const lineSchema = z.strictObject({
  product: z
    .string({ error: 'must be a registration number or barcode (a string)' })
    .refine((s) => s.trim() !== '', 'must not be empty'),
  quantity: z.int({ error: 'must be a whole number of packs, at least 1' }).min(1, 'must be a whole number of packs, at least 1'),
  chronic: z
    .int({ error: `must be a chronic condition code ${CHRONIC_CODE_MIN}..${CHRONIC_CODE_MAX}, or null` })
    .min(CHRONIC_CODE_MIN, `must be a chronic condition code ${CHRONIC_CODE_MIN}..${CHRONIC_CODE_MAX}, or null`)
    .max(CHRONIC_CODE_MAX, `must be a chronic condition code ${CHRONIC_CODE_MIN}..${CHRONIC_CODE_MAX}, or null`)
    .nullish(),
  ppa: z.int({ error: 'must be the vignette price in centimes, an integer above 0, or null' }).min(1, 'must be the vignette price in centimes, an integer above 0, or null').nullish(),
});

const linesSchema = z.array(lineSchema, { error: 'must be a JSON list of lines' });

function describe(issues: z.core.$ZodIssue[], name: (path: PropertyKey[]) => string): string {
  const shown = issues.slice(0, 3).map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return `${name(issue.path)}: unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    }
    return `${name(issue.path)}: ${issue.message}`;
  });
  const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : '';
  return shown.join('; ') + more;
}

function linePlace(path: PropertyKey[]): string {
  if (path.length === 0) return 'the lines';
  const [index, field, ...rest] = path;
  const line = typeof index === 'number' ? `line ${index + 1}` : String(index);
  if (field === undefined) return line;
  return `${line}, field "${[field, ...rest].map(String).join('.')}"`;
}

/** The lines of LINES.json, or `invalid-input` naming the line (1-based) and the field. */
export function parseLines(value: unknown): PrescriptionLine[] {
  const r = linesSchema.safeParse(value);
  if (!r.success) throw new ChifaError('invalid-input', `LINES.json: ${describe(r.error.issues, linePlace)}`, { file: 'lines' });
  return r.data.map((l) => ({ product: l.product, quantity: l.quantity, chronic: l.chronic ?? null, ppa: l.ppa ?? null }));
}

// The card document: every key `card read --json` always prints, with the types and ranges
// card-profile.md gives the values pricing uses (rates, dates, codes, indexes, statuses).
const day = z.string({ error: 'must be a date YYYY-MM-DD' }).refine((s) => isIsoDate(s), 'must be a calendar date YYYY-MM-DD');
const birthDate = z.string({ error: 'must be a date YYYY-MM-DD' }).refine((s) => isIsoDate(s, true), 'must be a date YYYY-MM-DD (00 allowed for month and day)');
const rate = z.int({ error: `must be a rate in basis points 0..${FULL_RATE}` }).min(0).max(FULL_RATE);
const text = z.string();
const optionalText = z.string().nullish().transform((v) => v ?? null);
const sex = z.enum(SEXES);
const chronicList = z
  .array(z.object({ code: z.int().min(CHRONIC_CODE_MIN).max(CHRONIC_CODE_MAX), validUntil: day }))
  .nullish()
  .transform((v) => v ?? []);

const cardSchema = z.object({
  profileVersion: z.literal(1, { error: 'must be 1' }).optional(),
  card: z.object({
    serial: text,
    fund: text,
    agency: optionalText,
    issued: day,
    expires: day,
    type: z.enum(CARD_TYPES),
  }),
  holder: z.object({
    nss: text,
    surname: text,
    givenNames: text,
    surnameAr: optionalText,
    givenNamesAr: optionalText,
    birthDate,
    sex,
    wilaya: optionalText,
    status: z.enum(INSURED_STATUSES),
    rate: rate.nullish().transform((v) => v ?? null),
    chronicConditions: chronicList,
  }),
  rights: z.object({
    validFrom: day,
    validTo: day,
    status: z.enum(RIGHTS_STATUSES),
    defaultRate: rate,
    thirdPartyPayment: z.boolean(),
  }),
  beneficiaries: z
    .array(
      z.object({
        index: z.int().min(1).max(10),
        relationship: z.enum(RELATIONSHIPS),
        surname: text,
        givenNames: text,
        surnameAr: optionalText,
        givenNamesAr: optionalText,
        birthDate,
        sex,
        rate: rate.nullish().transform((v) => v ?? null),
        chronicConditions: chronicList,
      }),
    )
    .superRefine((list, ctx) => {
      const seen = new Set<number>();
      list.forEach((b, i) => {
        if (seen.has(b.index)) ctx.addIssue({ code: 'custom', path: [i, 'index'], message: `index ${b.index} is given twice` });
        seen.add(b.index);
      });
    }),
  emergency: z.unknown().optional(),
  history: z.unknown().optional(),
  signature: z.object({
    keyId: z.string().nullable().optional(),
    status: z.enum(['valid', 'invalid', 'untrusted-key']),
  }),
});

function cardPlace(path: PropertyKey[]): string {
  return path.length === 0 ? 'the document' : path.map(String).join('.');
}

/** The card document of CARD.json, or `invalid-input` naming the field. */
export function parseCard(value: unknown): CardData {
  const r = cardSchema.safeParse(value);
  if (!r.success) {
    throw new ChifaError('invalid-input', `CARD.json is not a \`card read --json\` document: ${describe(r.error.issues, cardPlace)}`, { file: 'card' });
  }
  const d = r.data;
  return {
    profileVersion: 1,
    card: d.card,
    holder: d.holder,
    rights: d.rights,
    beneficiaries: d.beneficiaries,
    emergency: (d.emergency ?? null) as CardData['emergency'],
    history: (d.history ?? null) as CardData['history'],
    signature: { keyId: d.signature.keyId ?? null, status: d.signature.status },
  };
}

/** A dispensing day given by a user. */
export function parseDay(value: string, option = '--date'): IsoDate {
  if (!isIsoDate(value)) throw new ChifaError('invalid-input', `${option} must be a calendar date YYYY-MM-DD, not "${value}"`);
  return value;
}

/** A beneficiary index given by a user: 0 (holder) or more. */
export function parseBeneficiary(value: string | number, option = '--beneficiary'): number {
  const n = typeof value === 'number' ? value : /^\d{1,9}$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!Number.isSafeInteger(n) || n < 0) throw new ChifaError('invalid-input', `${option} must be a beneficiary index, 0 for the holder, not "${value}"`);
  return n;
}
