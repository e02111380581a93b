/**
 * Card documents and what `card read --json` must print for them (json-contract.md), and
 * the APDU counts a read must take (card-profile.md §1–§2), computed from the file images.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { encodeEmergency, encodeIdentityFiles, encodeSignatureFile } from '../../src/core/card/encode.ts';
import type { CardData } from '../../src/core/card/model.ts';
import { insuredCardFromDocument, type LoadOptions } from '../../src/emulator/document.ts';
import type { InsuredCardEmulator } from '../../src/emulator/insured-card.ts';
import type { FaultOptions } from '../../src/emulator/virtual-card.ts';
import { cardPath, CARDS_DIR, TRUST_DIR } from './pcscd.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Doc = Record<string, any>;

export function readDoc(name: string): Doc {
  return JSON.parse(readFileSync(cardPath(name), 'utf8')) as Doc;
}

const orNull = <T>(v: T | undefined | null): T | null => (v === undefined ? null : v);

function person(p: Doc, keys: string[]): Doc {
  const out: Doc = {};
  for (const k of keys) out[k] = orNull(p[k]);
  out.chronicConditions = (p.chronicConditions ?? []).map((c: Doc) => ({ code: c.code, validUntil: c.validUntil }));
  return out;
}

/**
 * The `card read --json` document for a card document: pin and signature key left out,
 * `emergency` only with the holder PIN, `history` only with a professional session.
 */
export function expectedRead(doc: Doc, opts: { pin?: boolean; history?: boolean; signature?: CardData['signature'] } = {}): Doc {
  const c = doc.card;
  return {
    profileVersion: 1,
    card: { serial: c.serial.toUpperCase(), fund: c.fund, agency: orNull(c.agency), issued: c.issued, expires: c.expires, type: c.type },
    holder: person(doc.holder, ['nss', 'surname', 'givenNames', 'surnameAr', 'givenNamesAr', 'birthDate', 'sex', 'wilaya', 'status', 'rate']),
    rights: { ...doc.rights },
    beneficiaries: doc.beneficiaries.map((b: Doc) =>
      person(b, ['index', 'relationship', 'surname', 'givenNames', 'surnameAr', 'givenNamesAr', 'birthDate', 'sex', 'rate']),
    ),
    emergency: opts.pin
      ? doc.emergency
        ? {
            bloodGroup: orNull(doc.emergency.bloodGroup),
            allergies: orNull(doc.emergency.allergies),
            emergencyContact: orNull(doc.emergency.emergencyContact),
            notes: orNull(doc.emergency.notes),
          }
        : { bloodGroup: null, allergies: null, emergencyContact: null, notes: null }
      : null,
    history: opts.history ? (doc.history ?? []).map((h: Doc) => ({ ...h, claimId: h.claimId.toLowerCase() })) : null,
    signature: opts.signature ?? { keyId: doc.signature.keyId, status: 'valid' },
  };
}

/** Byte lengths of the transparent files a plain read fetches, in the order it reads them. */
export function identityFileLengths(doc: Doc): number[] {
  const f = encodeIdentityFiles(doc as never);
  // The signature file's size does not depend on the key: 64-byte value, the key id as given.
  const sig = encodeSignatureFile(doc.signature.keyId, new Uint8Array(64));
  return [f.icc.length, f.holder.length, f.rights.length, f.beneficiaries.length, sig.length];
}

export function emergencyLength(doc: Doc): number {
  return encodeEmergency(doc.emergency).length;
}

/**
 * The responses a read of one transparent file of `len` bytes gets, in data bytes each:
 * the first READ BINARY by SFI with Le = 256, then current-file reads of the rest.
 */
function fileResponses(len: number): number[] {
  const out = [Math.min(len, 256)];
  for (let off = out[0]!; off < len; off += 256) out.push(Math.min(256, len - off));
  return out;
}

/**
 * APDUs of a read (SELECT, then each file) on a card with the given transport faults:
 * plain, `61 XX` chains of `chunked` bytes, or `6C XX` re-sends (`exactLe`).
 */
export function expectedApdus(fileLengths: number[], faults: { chunked?: number; exactLe?: boolean } = {}): number {
  let n = 1; // SELECT: no response data, never chained or re-sent
  for (const len of fileLengths) {
    const responses = fileResponses(len);
    responses.forEach((d, i) => {
      // The first read asks for 256: a shorter file gets `6C XX` on an exact-Le card.
      // Later reads ask for exactly what is left.
      if (faults.exactLe && i === 0 && d !== 256) n += 1;
      n += 1;
      if (faults.chunked !== undefined && d > faults.chunked) n += Math.ceil(d / faults.chunked);
    });
  }
  return n;
}

/** A family card with 10 beneficiaries and long Arabic names: EF.BENEFICIARIES well past 256 bytes. */
export function bigFamilyDoc(): Doc {
  const doc = readDoc('family');
  doc.card.serial = '00A1B2C3D4E5FA10';
  const names = [
    ['FATIMA ZOHRA', 'فاطمة الزهراء بنت عبد الرحمان'],
    ['MOHAMED EL AMINE', 'محمد الأمين بن عبد القادر'],
    ['ABDELKADER', 'عبد القادر بن محمد الصالح'],
    ['NOUR EL HOUDA', 'نور الهدى بنت عبد الحميد'],
    ['SIDI MOHAMED', 'سيدي محمد بن عبد الرحمان'],
    ['KHADIDJA', 'خديجة بنت عبد الله الطاهر'],
    ['ABDERRAHMANE', 'عبد الرحمان بن عبد المالك'],
    ['OUM EL KHEIR', 'أم الخير بنت عبد الكريم'],
    ['BELKACEM', 'بلقاسم بن عبد السلام'],
    ['ZINEB', 'زينب بنت عبد الوهاب الحسيني'],
  ];
  doc.beneficiaries = names.map(([latin, arabic], i) => ({
    index: i + 1,
    relationship: i === 0 ? 'spouse' : i === 9 ? 'ascendant' : 'child',
    surname: 'BENALI BEN ABDELKADER',
    givenNames: latin,
    surnameAr: 'بن علي بن عبد القادر',
    givenNamesAr: arabic,
    birthDate: i === 9 ? '1931-00-00' : `${1955 + i * 5}-0${(i % 9) + 1}-1${i}`,
    sex: i % 2 === 0 ? 'F' : 'M',
    rate: i === 9 ? 10000 : null,
    chronicConditions: i % 3 === 0 ? [{ code: 7 + i, validUntil: '2028-01-15' }] : [],
  }));
  return doc;
}

/** Builds the emulator of an in-memory card document; key paths resolve from data/demo/cards. */
export function cardFromDoc(doc: Doc, opts: { faults?: FaultOptions; card?: LoadOptions['card'] } = {}): InsuredCardEmulator {
  return insuredCardFromDocument(doc, CARDS_DIR, { trustDir: TRUST_DIR, faults: opts.faults, card: opts.card });
}

/** The document with its PEM paths made absolute, so it can be written anywhere. */
export function absolutize(doc: Doc): Doc {
  const out = structuredClone(doc);
  const abs = (p: string) => resolve(CARDS_DIR, p);
  if (out.signature?.privateKey) out.signature.privateKey = abs(out.signature.privateKey);
  if (typeof out.privateKey === 'string') out.privateKey = abs(out.privateKey);
  if (out.certificate?.privateKey) out.certificate.privateKey = abs(out.certificate.privateKey);
  return out;
}
