/**
 * Price lists: the JSON of shared/data/prices (an object of letter → array of items; an item's
 * row is its 1-based position in file order) and the price CSV of json-contract.md
 * (`registration;ppa;tariff;reimbursable;valid_from`, plus an optional `barcode` column).
 */
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { parse } from 'csv-parse/sync';
import { parseAmount } from '../../core/catalog/amount.ts';
import { normaliseRegistration } from '../../core/catalog/registration.ts';
import type { ImportIssue, ParsedList, ParsedRow, PriceRow } from '../../core/catalog/types.ts';
import { badFile, cleanText, decodeUtf8, headerKey, isIsoDate, issue, publishedRegistration, readListFile } from './common.ts';
import { dropDuplicates, reportDuplicates, type Mention } from './nomenclature.ts';

interface Amounts {
  ppa: { field: string; value: unknown };
  tariff: { field: string; value: unknown };
}

function valueText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/**
 * Reads both amounts of a row. None readable: the row is skipped (`no-amount`). One readable:
 * the row is stored and the other, whatever it held (empty, `N/A`, `-- DA`, `0 DA` …), is
 * reported as `unreadable-amount`.
 */
function readAmounts(
  file: string,
  sheet: string | null,
  line: number,
  a: Amounts,
  skipped: ImportIssue[],
  warnings: ImportIssue[],
): { ppa: number | null; tariff: number | null } | null {
  const ppa = parseAmount(a.ppa.value);
  const tariff = parseAmount(a.tariff.value);
  if (ppa === null && tariff === null) {
    const shown = [a.ppa, a.tariff].map((x) => `${x.field} ${JSON.stringify(valueText(x.value) ?? '')}`).join(', ');
    skipped.push(issue(file, sheet, line, a.ppa.field, valueText(a.ppa.value), 'no-amount', `No readable amount (${shown}): the row is not imported.`));
    return null;
  }
  for (const [x, v] of [[a.ppa, ppa], [a.tariff, tariff]] as const) {
    if (v === null) {
      const text = valueText(x.value);
      warnings.push(issue(file, sheet, line, x.field, text, 'unreadable-amount', `${x.field} ${JSON.stringify(text ?? '')} is no amount: it is left unknown (never zero).`));
    }
  }
  return { ppa, tariff };
}

const dedupKey = (r: PriceRow) => `${normaliseRegistration(r.registration)}|${r.validFrom ?? ''}`;

function mention(registration: string, validFrom: string, line: number, stored: boolean): Mention {
  return { key: `${normaliseRegistration(registration)}|${validFrom}`, registration, sheet: null, line, stored };
}

export function readPriceJson(path: string): ParsedList<PriceRow> {
  const file = basename(path);
  let doc: unknown;
  try {
    doc = JSON.parse(decodeUtf8(path, readFileSync(path)));
  } catch (e) {
    if ((e as { code?: string }).code === 'invalid-input') throw e;
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw badFile(path, 'no such file.');
    throw badFile(path, `not JSON (${(e as Error).message}).`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc) || !Object.values(doc).every(Array.isArray)) {
    throw badFile(path, 'not a price list: expected an object of letter → array of products.');
  }
  const rows: ParsedRow<PriceRow>[] = [];
  const skipped: ImportIssue[] = [];
  const warnings: ImportIssue[] = [];
  const mentions: Mention[] = [];
  let line = 0;
  for (const items of Object.values(doc as Record<string, unknown[]>)) {
    for (const raw of items) {
      line++;
      const it = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
      const str = (k: string) => (typeof it[k] === 'string' ? cleanText(it[k] as string) : null);
      const published = typeof it['Num Enregistrement'] === 'string' ? (it['Num Enregistrement'] as string).trim() : '';
      if (normaliseRegistration(published) === '') {
        skipped.push(issue(file, null, line, 'Num Enregistrement', valueText(it['Num Enregistrement']), 'no-registration', 'The item has no registration number: it is not imported.'));
        continue;
      }
      const amounts = readAmounts(file, null, line, { ppa: { field: 'PPA', value: it.PPA }, tariff: { field: 'Tarif de reference', value: it['Tarif de reference'] } }, skipped, warnings);
      mentions.push(mention(published, '', line, amounts !== null));
      if (!amounts) continue;
      const r = it.Remboursable;
      rows.push({
        sheet: null,
        line,
        row: {
          registration: publishedRegistration(published),
          ...amounts,
          reimbursable: typeof r === 'boolean' ? r : null,
          validFrom: null,
          brand: str('Nom Commercial'),
          inn: str('Info'),
          form: str('Forme'),
          dosage: str('Dosage'),
          packaging: str('Conditionnement'),
          laboratory: str('Laboratoire'),
          country: str('Pays'),
          list: str('Liste'),
          pharmacologicalClass: str('C.Pharmacologique'),
          therapeuticClass: str('C.Therapeutique'),
          barcode: null,
        },
      });
    }
  }
  reportDuplicates(file, mentions, warnings);
  warnings.sort((a, b) => a.row - b.row);
  return { file, read: line, rows: dropDuplicates(rows, dedupKey), skipped, warnings };
}

const CSV_COLUMNS = ['registration', 'ppa', 'tariff', 'reimbursable', 'validfrom'] as const;
const CSV_OPTIONAL = ['barcode'] as const;

export function parseReimbursable(text: string): boolean | null | undefined {
  const t = text.trim().toLowerCase();
  if (t === '') return null;
  if (t === '1' || t === 'oui' || t === 'true') return true;
  if (t === '0' || t === 'non' || t === 'false') return false;
  return undefined;
}

export function readPriceCsv(path: string): ParsedList<PriceRow> {
  const file = basename(path);
  const bytes = readListFile(path);
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(decodeUtf8(path, bytes), { delimiter: ';', relax_column_count: true, skip_empty_lines: false, info: true }) as unknown as typeof records;
  } catch (e) {
    throw badFile(path, `not a semicolon-separated CSV file (${(e as Error).message}).`);
  }
  const first = records[0]?.record ?? [];
  const keys = first.map((h) => headerKey(h).toLowerCase());
  const col = new Map<string, number>();
  keys.forEach((k, i) => {
    if (k !== '' && !col.has(k)) col.set(k, i);
  });
  const missing = CSV_COLUMNS.filter((c) => !col.has(c));
  const unknown = keys.filter((k) => k !== '' && !(CSV_COLUMNS as readonly string[]).includes(k) && !(CSV_OPTIONAL as readonly string[]).includes(k));
  if (missing.length > 0 || unknown.length > 0) {
    throw badFile(path, `the header must be registration;ppa;tariff;reimbursable;valid_from (optionally ;barcode), found "${first.join(';')}".`);
  }
  const names = first.map((h) => h.trim());
  const rows: ParsedRow<PriceRow>[] = [];
  const skipped: ImportIssue[] = [];
  const warnings: ImportIssue[] = [];
  const mentions: Mention[] = [];
  let read = 0;
  let prevEnd = records[0]?.info.lines ?? 0;
  for (const { record, info } of records.slice(1)) {
    const line = prevEnd + 1;
    prevEnd = info.lines;
    if (record.every((c) => c.trim() === '')) continue;
    read++;
    const get = (c: string) => {
      const i = col.get(c);
      return i === undefined ? '' : (record[i] ?? '');
    };
    const name = (c: string) => names[col.get(c)!] ?? c;
    const published = get('registration').trim();
    if (normaliseRegistration(published) === '') {
      skipped.push(issue(file, null, line, name('registration'), null, 'no-registration', 'The row has no registration number: it is not imported.'));
      continue;
    }
    const validFrom = get('validfrom').trim();
    if (validFrom !== '' && !isIsoDate(validFrom)) {
      skipped.push(issue(file, null, line, name('validfrom'), validFrom, 'invalid-date', `valid_from "${validFrom}" is not a YYYY-MM-DD date: the row is not imported.`));
      continue;
    }
    const amounts = readAmounts(file, null, line, { ppa: { field: name('ppa'), value: get('ppa') }, tariff: { field: name('tariff'), value: get('tariff') } }, skipped, warnings);
    mentions.push(mention(published, validFrom, line, amounts !== null));
    if (!amounts) continue;
    let reimbursable = parseReimbursable(get('reimbursable'));
    if (reimbursable === undefined) {
      warnings.push(issue(file, null, line, name('reimbursable'), get('reimbursable'), 'unreadable-reimbursable', `reimbursable "${get('reimbursable')}" is none of 1/0, oui/non, true/false: it is left unknown.`));
      reimbursable = null;
    }
    const barcode = col.has('barcode') ? cleanText(get('barcode')) : null;
    rows.push({
      sheet: null,
      line,
      row: {
        registration: publishedRegistration(published),
        ...amounts,
        reimbursable,
        validFrom: validFrom === '' ? null : validFrom,
        brand: null, inn: null, form: null, dosage: null, packaging: null, laboratory: null, country: null,
        list: null, pharmacologicalClass: null, therapeuticClass: null,
        barcode: barcode === null ? null : barcode.replace(/\s+/gu, ''),
      },
    });
  }
  reportDuplicates(file, mentions, warnings);
  warnings.sort((a, b) => a.row - b.row);
  return { file, read, rows: dropDuplicates(rows, dedupKey), skipped, warnings };
}

/** By extension, else by content: the JSON list starts with `{`. */
export function readPrices(path: string): ParsedList<PriceRow> {
  const ext = extname(path).toLowerCase();
  if (ext === '.json') return readPriceJson(path);
  if (ext === '.csv' || ext === '.txt') return readPriceCsv(path);
  const text = readListFile(path).toString('utf8');
  return text.replace(/^\ufeff/u, '').trimStart().startsWith('{') ? readPriceJson(path) : readPriceCsv(path);
}
