/**
 * The documents of `chifa card emulate` (json-contract.md): an insured card (the `card read`
 * document with a signing key or a given signature) or a professional key. The schemas
 * check the shape; the core encoders check every value against the profile, so a document
 * that loads encodes to a card the terminal reads back as written. Keys not listed are
 * ignored, as the contract allows.
 *
 * Extensions where the contract is silent: `"signature": null` serves a card without
 * EF.SIGNATURE; `"application": "CHIFA"` may name an insured card explicitly; history
 * beyond 40 records is refused.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { fromHex } from '../core/bytes.ts';
import { ChifaError } from '../core/errors.ts';
import { encodeEmergency, encodeIdentityFiles, encodeSignatureFile } from '../core/card/encode.ts';
import { encodeHistoryRecord } from '../core/card/history.ts';
import type { CardIdentity, HistoryRecord } from '../core/card/model.ts';
import { CARD_TYPES, HISTORY_RECORDS, INSURED_STATUSES, RELATIONSHIPS, RIGHTS_STATUSES, ROLES, SEXES } from '../core/card/profile.ts';
import { encodeProfessionalCertificate } from '../core/card/professional.ts';
import { signedMessage, signP256 } from '../core/card/signature.ts';
import { loadTrustDirectory, privateKeyFromPem, publicKeyFromPem } from '../adapters/keys.ts';
import { InsuredCardEmulator, type InsuredCardOptions } from './insured-card.ts';
import { ProfessionalKeyEmulator } from './professional-key.ts';
import type { FaultOptions } from './virtual-card.ts';

const date = z.string().regex(/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/, 'must be a date YYYY-MM-DD');
const text = z.string();
const optionalText = z.string().nullish().transform((v) => v ?? null);
const int = z.number().int();
const optionalInt = int.nullish().transform((v) => v ?? null);
const hex128 = z.string().regex(/^[0-9a-fA-F]{128}$/, 'must be 128 hex digits');
const pin = z.string().regex(/^[0-9]{4,8}$/, 'must be 4 to 8 digits').default('1234');

const chronic = z
  .array(z.object({ code: int, validUntil: date }))
  .nullish()
  .transform((v) => v ?? []);

const cardSchema = z.object({
  serial: z.string().regex(/^[0-9A-Fa-f]{16}$/, 'must be 16 hex digits'),
  fund: text,
  agency: optionalText,
  issued: date,
  expires: date,
  type: z.enum(CARD_TYPES),
});

const holderSchema = z.object({
  nss: text,
  surname: text,
  givenNames: text,
  surnameAr: optionalText,
  givenNamesAr: optionalText,
  birthDate: date,
  sex: z.enum(SEXES),
  wilaya: optionalText,
  status: z.enum(INSURED_STATUSES),
  rate: optionalInt,
  chronicConditions: chronic,
});

const rightsSchema = z.object({
  validFrom: date,
  validTo: date,
  status: z.enum(RIGHTS_STATUSES),
  defaultRate: int,
  thirdPartyPayment: z.boolean(),
});

const beneficiarySchema = z.object({
  index: int,
  relationship: z.enum(RELATIONSHIPS),
  surname: text,
  givenNames: text,
  surnameAr: optionalText,
  givenNamesAr: optionalText,
  birthDate: date,
  sex: z.enum(SEXES),
  rate: optionalInt,
  chronicConditions: chronic,
});

const emergencySchema = z.object({
  bloodGroup: optionalText,
  allergies: optionalText,
  emergencyContact: optionalText,
  notes: optionalText,
});

const historySchema = z.object({
  date,
  pharmacy: text,
  beneficiary: int,
  claimId: z.string(),
  total: int,
  fund: int,
  items: int,
});

const keyRef = z.object({ keyId: text, privateKey: text });
const givenValue = z.object({ keyId: text, value: hex128 });

const insuredSchema = z.object({
  application: z.literal('CHIFA').optional(),
  // Any byte, so a test can serve a card of another profile version (the reader must refuse it).
  profileVersion: z.number().int().min(0).max(255).optional(),
  card: cardSchema,
  holder: holderSchema,
  rights: rightsSchema,
  beneficiaries: z.array(beneficiarySchema),
  emergency: emergencySchema.nullish().transform((v) => v ?? null),
  history: z
    .array(historySchema)
    .max(HISTORY_RECORDS, `at most ${HISTORY_RECORDS} records`)
    .nullish()
    .transform((v) => v ?? []),
  signature: z.union([keyRef, givenValue]).nullable(),
  pin,
});

const professionalSchema = z.object({
  application: z.literal('CHIFAPS'),
  professional: z.object({
    id: text,
    name: text,
    role: z.enum(ROLES),
    validUntil: date,
  }),
  privateKey: text,
  pin,
  certificate: z.union([keyRef, givenValue]),
});

export type InsuredCardDocument = z.infer<typeof insuredSchema>;
export type ProfessionalKeyDocument = z.infer<typeof professionalSchema>;

export interface LoadOptions {
  /** Trust directory: the fund keys an insured card checks professional certificates with. */
  trustDir: string;
  faults?: FaultOptions;
  /** Insured cards only: padding, randomness, ATR. */
  card?: Omit<InsuredCardOptions, keyof FaultOptions>;
}

function invalid(message: string, field: string | null): ChifaError {
  return new ChifaError('invalid-input', message, field === null ? {} : { field });
}

function parse<T>(schema: z.ZodType<T>, doc: unknown, what: string): T {
  const r = schema.safeParse(doc);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = issue.path.map(String).join('.') || '(document)';
  throw invalid(`${what}: ${field}: ${issue.message}`, field);
}

function readPem(baseDir: string, path: string, field: string): string {
  try {
    return readFileSync(resolve(baseDir, path), 'utf8');
  } catch (e) {
    throw invalid(`${field}: cannot read ${path} (${e instanceof Error ? e.message : String(e)})`, field);
  }
}

function privateKey(baseDir: string, path: string, field: string): Uint8Array {
  try {
    return privateKeyFromPem(readPem(baseDir, path, field));
  } catch (e) {
    if (e instanceof ChifaError && e.details.field !== undefined) throw e;
    throw invalid(`${field}: ${e instanceof Error ? e.message : String(e)}`, field);
  }
}

/** Which kind of document this is, by its `application`. */
export function documentKind(doc: unknown): 'insured' | 'professional' {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw invalid('the document must be a JSON object', null);
  return (doc as { application?: unknown }).application === 'CHIFAPS' ? 'professional' : 'insured';
}

/** Builds an insured card from its parsed document; PEM paths are relative to `baseDir`. */
export function insuredCardFromDocument(
  json: unknown,
  baseDir: string,
  opts: LoadOptions,
): InsuredCardEmulator {
  const doc = parse(insuredSchema, json, 'insured card document');
  const identity: CardIdentity & { profileVersion?: number } = {
    profileVersion: doc.profileVersion,
    card: doc.card,
    holder: doc.holder,
    rights: doc.rights,
    beneficiaries: doc.beneficiaries,
  };
  const files = encodeIdentityFiles(identity);
  const emergency = doc.emergency === null ? null : encodeEmergency(doc.emergency);
  const history = doc.history.map((r, i) => {
    try {
      return encodeHistoryRecord(r as HistoryRecord);
    } catch (e) {
      throw invalid(`history.${i}: ${e instanceof Error ? e.message : String(e)}`, `history.${i}`);
    }
  });
  let signature: Uint8Array | null = null;
  if (doc.signature !== null) {
    const s = doc.signature;
    const value =
      'value' in s ? fromHex(s.value) : signP256(signedMessage(files), privateKey(baseDir, s.privateKey, 'signature.privateKey'));
    signature = encodeSignatureFile(s.keyId, value);
  }
  return new InsuredCardEmulator(
    { ...files, emergency, signature, history, pin: doc.pin, trust: loadTrustDirectory(opts.trustDir) },
    { ...(opts.card ?? {}), ...(opts.faults ?? {}) },
  );
}

/** Builds a professional key from its parsed document; EF.PS and its `C5` are made here. */
export function professionalKeyFromDocument(json: unknown, baseDir: string, opts: LoadOptions): ProfessionalKeyEmulator {
  const doc = parse(professionalSchema, json, 'professional key document');
  const pem = readPem(baseDir, doc.privateKey, 'privateKey');
  let priv: Uint8Array;
  let pub: Uint8Array;
  try {
    priv = privateKeyFromPem(pem);
    pub = publicKeyFromPem(pem);
  } catch (e) {
    throw invalid(`privateKey: ${e instanceof Error ? e.message : String(e)}`, 'privateKey');
  }
  const c = doc.certificate;
  const fundSignature =
    'value' in c
      ? fromHex(c.value)
      : (() => {
          const fundKey = privateKey(baseDir, c.privateKey, 'certificate.privateKey');
          return (signed: Uint8Array) => signP256(signed, fundKey);
        })();
  const efPs = encodeProfessionalCertificate({ ...doc.professional, publicKey: pub }, c.keyId, fundSignature);
  return new ProfessionalKeyEmulator({ efPs, privateKey: priv, pin: doc.pin }, opts.faults ?? {});
}

/**
 * Reads a `card emulate` document and builds the card it describes. Bad documents are
 * ChifaError `invalid-input`, naming the field.
 */
export async function loadVirtualCard(
  path: string,
  opts: LoadOptions,
): Promise<InsuredCardEmulator | ProfessionalKeyEmulator> {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (e) {
    throw invalid(`cannot read ${path} (${e instanceof Error ? e.message : String(e)})`, null);
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (e) {
    throw invalid(`${path} is not JSON (${e instanceof Error ? e.message : String(e)})`, null);
  }
  const baseDir = dirname(resolve(path));
  return documentKind(json) === 'professional'
    ? professionalKeyFromDocument(json, baseDir, opts)
    : insuredCardFromDocument(json, baseDir, opts);
}
