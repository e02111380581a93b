/** What the list readers share: header keys, cell text, dates, issue items, file errors. */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { ChifaError } from '../../core/errors.ts';
import type { ImportIssue } from '../../core/catalog/types.ts';
import type { IsoDate } from '../../core/card/model.ts';

/**
 * A header name reduced to what identifies it: accents dropped, upper case, nothing but letters
 * and digits (`DATE D'ENREGISTREMENT  FINAL ` → `DATEDENREGISTREMENTFINAL`, `N°ENREGISTREMENT`
 * → `NENREGISTREMENT`). Stray, doubled and no-break spaces therefore never matter.
 */
export function headerKey(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .replace(/[^A-Z0-9]/gu, '');
}

/** Trimmed text with runs of spaces collapsed; null when nothing is left. */
export function cleanText(text: string | null | undefined): string | null {
  if (text === null || text === undefined) return null;
  const t = text.replace(/[\s\u00a0]+/gu, ' ').trim();
  return t === '' ? null : t;
}

export function issue(
  file: string,
  sheet: string | null,
  row: number,
  field: string | null,
  value: string | null,
  code: string,
  message: string,
): ImportIssue {
  return { file, sheet, row, field, value, code, message };
}

export function badFile(path: string, why: string): ChifaError {
  const file = basename(path);
  return new ChifaError('invalid-input', `${file}: ${why}`, { file });
}

/** The bytes of a list file; one that cannot be read is an invalid-input naming it, not an I/O error. */
export function readListFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch {
    throw badFile(path, 'the file cannot be read.');
  }
}

/**
 * A registration number as the list publishes it, runs of (no-break) spaces made one space:
 * what is stored and shown. Matching uses normaliseRegistration, which drops them all.
 */
export function publishedRegistration(text: string): string {
  return text.replace(/[\s\u00a0]+/gu, ' ');
}

function isoDate(y: number, m: number, d: number): IsoDate | null {
  if (y < 1900 || y > 2199 || m < 1 || m > 12 || d < 1) return null;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  if (d > days) return null;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Every valid date written in the text, as `DD/MM/YYYY` (or `-`, `.`; spaces tolerated) or `YYYY-MM-DD`. */
export function datesInText(text: string): IsoDate[] {
  const out: IsoDate[] = [];
  const re = /(\d{4})-(\d{1,2})-(\d{1,2})|(\d{1,2}) *[/.-] *(\d{1,2}) *[/.-] *(\d{4})/gu;
  for (const m of text.matchAll(re)) {
    const iso = m[1] !== undefined ? isoDate(Number(m[1]), Number(m[2]), Number(m[3])) : isoDate(Number(m[6]), Number(m[5]), Number(m[4]));
    if (iso) out.push(iso);
  }
  return out;
}

/** A cell that holds exactly one date and nothing else (spaces aside). */
export function plainDate(text: string): IsoDate | null {
  const t = text.trim();
  if (!/^(\d{4}-\d{1,2}-\d{1,2}|\d{1,2} *[/.-] *\d{1,2} *[/.-] *\d{4})$/u.test(t)) return null;
  return datesInText(t)[0] ?? null;
}

/** Excel's 1900 date system: serial 1 is 1900-01-01, with its phantom 29 February 1900. */
export function excelSerialDate(serial: number): IsoDate | null {
  if (!Number.isFinite(serial) || serial < 61 || serial > 150_000) return null;
  const ms = Date.UTC(1899, 11, 30) + Math.floor(serial) * 86_400_000;
  return dateObjectDay(new Date(ms));
}

/** A Date exceljs made from a cell (UTC midnight), rounded to the minute against float noise. */
export function dateObjectDay(d: Date): IsoDate | null {
  const t = d.getTime();
  if (!Number.isFinite(t)) return null;
  const r = new Date(Math.round(t / 60_000) * 60_000);
  return isoDate(r.getUTCFullYear(), r.getUTCMonth() + 1, r.getUTCDate());
}

/** Strict `YYYY-MM-DD`. */
export function isIsoDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/u.exec(text);
  return m !== null && isoDate(Number(m[1]), Number(m[2]), Number(m[3])) !== null;
}

/** UTF-8 text of a file, BOM removed; a file that is not UTF-8 is refused. */
export function decodeUtf8(path: string, bytes: Uint8Array): string {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch {
    throw badFile(path, 'the file is not UTF-8 text.');
  }
}
