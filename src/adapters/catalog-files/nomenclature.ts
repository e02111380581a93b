/**
 * The ministry's nomenclature: its XLSX (three sheets: in force, withdrawn, not renewed) and the
 * semicolon CSV export of its first sheet. Title rows sit above a header found by its
 * `N°ENREGISTREMENT` column; header names are matched by headerKey (spaces, case, accents ignore).
 * The `N°` column changes with every edition and is not read.
 */
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { normaliseRegistration } from '../../core/catalog/registration.ts';
import type { ImportIssue, NomenclatureRow, NomenclatureSheet, ParsedList, ParsedRow } from '../../core/catalog/types.ts';
import type { IsoDate } from '../../core/card/model.ts';
import { badFile, cleanText, dateObjectDay, datesInText, decodeUtf8, excelSerialDate, headerKey, issue, plainDate, publishedRegistration, readListFile } from './common.ts';

type TextField =
  | 'registration' | 'code' | 'inn' | 'brand' | 'form' | 'dosage' | 'packaging' | 'list' | 'p1' | 'p2' | 'obs'
  | 'laboratory' | 'country' | 'type' | 'status' | 'stability' | 'withdrawalReason';
type DateField = 'initialDate' | 'finalDate' | 'withdrawalDate';
type Field = TextField | DateField;

const EXACT: Record<string, Field> = {
  NENREGISTREMENT: 'registration',
  NOENREGISTREMENT: 'registration',
  NUMENREGISTREMENT: 'registration',
  CODE: 'code',
  DENOMINATIONCOMMUNEINTERNATIONALE: 'inn',
  DCI: 'inn',
  NOMDEMARQUE: 'brand',
  FORME: 'form',
  DOSAGE: 'dosage',
  COND: 'packaging',
  CONDITIONNEMENT: 'packaging',
  LISTE: 'list',
  P1: 'p1',
  P2: 'p2',
  OBS: 'obs',
  DATEDENREGISTREMENTINITIAL: 'initialDate',
  DATEDENREGISTREMENTFINAL: 'finalDate',
  TYPE: 'type',
  STATUT: 'status',
  DUREEDESTABILITE: 'stability',
  DATEDERETRAIT: 'withdrawalDate',
  MOTIFDERETRAIT: 'withdrawalReason',
};

const REQUIRED: Field[] = ['registration', 'inn', 'brand', 'form', 'dosage', 'packaging'];
const HEADER_SEARCH_ROWS = 40;

function fieldOf(header: string): Field | null {
  const key = headerKey(header);
  if (key === '') return null;
  const exact = EXACT[key];
  if (exact) return exact;
  if (key.startsWith('LABORATOIRE')) return 'laboratory';
  if (key.startsWith('PAYS')) return 'country';
  return null;
}

interface Header {
  /** 0-based column index → field, and the header as published for issue items. */
  columns: Map<number, { field: Field; name: string }>;
  byField: Map<Field, number>;
}

function readHeader(cells: string[]): Header | null {
  if (!cells.some((c) => fieldOf(c) === 'registration')) return null;
  const columns = new Map<number, { field: Field; name: string }>();
  const byField = new Map<Field, number>();
  cells.forEach((c, i) => {
    const field = fieldOf(c);
    if (field && !byField.has(field)) {
      columns.set(i, { field, name: cleanText(c) ?? c });
      byField.set(field, i);
    }
  });
  return { columns, byField };
}

function checkHeader(path: string, where: string, h: Header): void {
  const missing = REQUIRED.filter((f) => !h.byField.has(f));
  if (missing.length > 0) {
    throw badFile(path, `${where}: the header lacks the columns ${missing.join(', ')} (is this the ministry's nomenclature?).`);
  }
}

function sheetKind(name: string | null, h: Header): NomenclatureSheet {
  const key = headerKey(name ?? '');
  if (key.includes('RETRAIT')) return 'withdrawn';
  if (key.includes('RENOUVEL')) return 'not-renewed';
  if (h.byField.has('withdrawalDate')) return 'withdrawn';
  return 'in-force';
}

/** A cell as the readers see it: text, or a date/serial the XLSX holds natively. */
export type Cell = { text: string | null; date?: IsoDate | null; serial?: number };

interface Builder {
  path: string;
  file: string;
  sheet: string | null;
  kind: NomenclatureSheet;
  header: Header;
  read: number;
  rows: ParsedRow<NomenclatureRow>[];
  skipped: ImportIssue[];
  warnings: ImportIssue[];
}

function readDate(b: Builder, line: number, field: DateField, cell: Cell | undefined, out: NomenclatureRow): IsoDate | null {
  if (!cell) return null;
  if (cell.date !== undefined) return cell.date;
  if (cell.serial !== undefined) {
    const d = excelSerialDate(cell.serial);
    if (d) return d;
  }
  const text = cleanText(cell.text);
  if (text === null) return null;
  const plain = plainDate(text);
  if (plain) return plain;
  const name = b.header.columns.get(b.header.byField.get(field)!)!.name;
  if (field === 'withdrawalDate') {
    // `ABROGATION`, `RETRAIT LE 10/07/2017`, two numbered withdrawals: kept as published, the
    // last date written (the latest withdrawal) read when there is one.
    out.withdrawalNote = text;
    const all = datesInText(text);
    return all.length > 0 ? all[all.length - 1]! : null;
  }
  b.warnings.push(issue(b.file, b.sheet, line, name, text, 'unreadable-date', `${name}: "${text}" is not a date; the date is left empty.`));
  return null;
}

function addRow(b: Builder, line: number, cells: (i: number) => Cell | undefined, width: number): void {
  let any = false;
  for (let i = 0; i < width; i++) {
    const c = cells(i);
    if (c && (c.date || c.serial !== undefined || cleanText(c.text) !== null)) {
      any = true;
      break;
    }
  }
  if (!any) return; // blank rows are no data rows
  b.read++;
  const text = (f: TextField): string | null => {
    const i = b.header.byField.get(f);
    return i === undefined ? null : cleanText(cells(i)?.text ?? null);
  };
  const regCol = b.header.byField.get('registration')!;
  const published = cells(regCol)?.text?.trim() ?? '';
  if (normaliseRegistration(published) === '') {
    const name = b.header.columns.get(regCol)!.name;
    b.skipped.push(issue(b.file, b.sheet, line, name, null, 'no-registration', 'The row has no registration number: it is not imported.'));
    return;
  }
  const row: NomenclatureRow = {
    registration: publishedRegistration(published),
    code: text('code'),
    inn: text('inn'),
    brand: text('brand'),
    form: text('form'),
    dosage: text('dosage'),
    packaging: text('packaging'),
    list: text('list'),
    p1: text('p1'),
    p2: text('p2'),
    obs: text('obs'),
    laboratory: text('laboratory'),
    country: text('country'),
    initialDate: null,
    finalDate: null,
    type: text('type'),
    status: text('status'),
    stability: text('stability'),
    sheet: b.kind,
    withdrawalDate: null,
    withdrawalReason: text('withdrawalReason'),
    withdrawalNote: null,
  };
  const at = (f: DateField) => {
    const i = b.header.byField.get(f);
    return i === undefined ? undefined : cells(i);
  };
  row.initialDate = readDate(b, line, 'initialDate', at('initialDate'), row);
  row.finalDate = readDate(b, line, 'finalDate', at('finalDate'), row);
  row.withdrawalDate = readDate(b, line, 'withdrawalDate', at('withdrawalDate'), row);
  b.rows.push({ row, sheet: b.sheet, line });
}

/** A row that carries a registration number, stored or not, for the duplicate report. */
export interface Mention {
  key: string;
  registration: string;
  sheet: string | null;
  line: number;
  stored: boolean;
}

/**
 * A registration number given twice in one list is reported on the later row
 * (`duplicate-registration`), whether or not that row is stored. The later stored row wins: it
 * replaces the earlier one. A later row that is not stored (no amount) cannot replace anything
 * and the earlier row stays; the warning says so. In the XLSX the sheets are read in file order
 * (in force, withdrawn, not renewed), so a number found in two sheets ends with the later sheet's data.
 */
export function reportDuplicates(file: string, mentions: Mention[], warnings: ImportIssue[]): void {
  const first = new Map<string, Mention>();
  for (const m of mentions) {
    const earlier = first.get(m.key);
    if (!earlier) {
      first.set(m.key, m);
      continue;
    }
    const where = earlier.sheet && earlier.sheet !== m.sheet ? `sheet "${earlier.sheet}", row ${earlier.line}` : `row ${earlier.line}`;
    const outcome = m.stored ? 'this later row replaces it' : 'this row is not stored, so the earlier data stays';
    warnings.push(issue(file, m.sheet, m.line, 'registration', m.registration, 'duplicate-registration', `Registration number ${m.registration} was already given (${where}): ${outcome}.`));
  }
}

/** The last stored row for each key, in list order. */
export function dropDuplicates<T>(rows: ParsedRow<T>[], key: (row: T) => string): ParsedRow<T>[] {
  const last = new Map<string, number>();
  rows.forEach((r, i) => last.set(key(r.row), i));
  return rows.filter((r, i) => last.get(key(r.row)) === i);
}

function finish(file: string, read: number, rows: ParsedRow<NomenclatureRow>[], skipped: ImportIssue[], warnings: ImportIssue[]): ParsedList<NomenclatureRow> {
  reportDuplicates(file, rows.map((r) => ({ key: normaliseRegistration(r.row.registration), registration: r.row.registration, sheet: r.sheet, line: r.line, stored: true })), warnings);
  const kept = dropDuplicates(rows, (r) => normaliseRegistration(r.registration));
  const order = (i: ImportIssue) => i.row;
  // Items stay in file order: sheet by sheet, then row by row.
  const sheetsOrder = [...new Set([...rows.map((r) => r.sheet), ...skipped.map((s) => s.sheet)])];
  const sorter = (a: ImportIssue, b: ImportIssue) => sheetsOrder.indexOf(a.sheet) - sheetsOrder.indexOf(b.sheet) || order(a) - order(b);
  return { file, read, rows: kept, skipped: skipped.sort(sorter), warnings: warnings.sort(sorter) };
}

function cellOf(v: ExcelJS.CellValue): Cell {
  if (v === null || v === undefined) return { text: null };
  if (v instanceof Date) return { text: null, date: dateObjectDay(v) };
  if (typeof v === 'number') return { text: String(v), serial: v };
  if (typeof v === 'string') return { text: v };
  if (typeof v === 'boolean') return { text: v ? 'TRUE' : 'FALSE' };
  if (typeof v === 'object') {
    if ('richText' in v && Array.isArray(v.richText)) return { text: v.richText.map((r) => r.text).join('') };
    if ('result' in v) return cellOf((v as { result: ExcelJS.CellValue }).result);
    if ('text' in v && typeof v.text === 'string') return { text: v.text };
    if ('error' in v) return { text: null };
  }
  return { text: String(v) };
}

export async function readNomenclatureXlsx(path: string): Promise<ParsedList<NomenclatureRow>> {
  const file = basename(path);
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(readFileSync(path) as unknown as ArrayBuffer);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw badFile(path, 'no such file.');
    throw badFile(path, `not an XLSX workbook (${(e as Error).message}).`);
  }
  let read = 0;
  const rows: ParsedRow<NomenclatureRow>[] = [];
  const skipped: ImportIssue[] = [];
  const warnings: ImportIssue[] = [];
  let sheetsWithHeader = 0;
  for (const ws of wb.worksheets) {
    let header: Header | null = null;
    let headerRow = 0;
    const last = Math.min(ws.rowCount, HEADER_SEARCH_ROWS);
    for (let r = 1; r <= last && !header; r++) {
      const vals = ws.getRow(r).values as ExcelJS.CellValue[];
      const cells: string[] = [];
      for (let i = 1; i < vals.length; i++) cells[i - 1] = cellOf(vals[i]).text ?? '';
      header = readHeader(cells);
      headerRow = r;
    }
    if (!header) continue; // a sheet of notes or an empty sheet: not part of the list
    checkHeader(path, `sheet "${ws.name}"`, header);
    sheetsWithHeader++;
    const b: Builder = { path, file, sheet: ws.name, kind: sheetKind(ws.name, header), header, read: 0, rows, skipped, warnings };
    ws.eachRow({ includeEmpty: false }, (row, r) => {
      if (r <= headerRow) return;
      const vals = row.values as ExcelJS.CellValue[];
      addRow(b, r, (i) => cellOf(vals[i + 1]), Math.max(0, vals.length - 1));
    });
    read += b.read;
  }
  if (sheetsWithHeader === 0) {
    throw badFile(path, `no sheet has a header row with a N°ENREGISTREMENT column in its first ${HEADER_SEARCH_ROWS} rows.`);
  }
  return finish(file, read, rows, skipped, warnings);
}

export function readNomenclatureCsv(path: string): ParsedList<NomenclatureRow> {
  const file = basename(path);
  const bytes = readListFile(path);
  const text = decodeUtf8(path, bytes);
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      delimiter: ';',
      bom: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: false,
      info: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (e) {
    throw badFile(path, `not a semicolon-separated CSV file (${(e as Error).message}).`);
  }
  let header: Header | null = null;
  const rows: ParsedRow<NomenclatureRow>[] = [];
  const skipped: ImportIssue[] = [];
  const warnings: ImportIssue[] = [];
  let b: Builder | null = null;
  let prevEnd = 0;
  for (const { record, info } of records) {
    const line = prevEnd + 1;
    prevEnd = info.lines;
    if (!header) {
      if (line > HEADER_SEARCH_ROWS) break;
      header = readHeader(record);
      if (header) {
        checkHeader(path, 'header', header);
        b = { path, file, sheet: null, kind: sheetKind(null, header), header, read: 0, rows, skipped, warnings };
      }
      continue;
    }
    const cells = (i: number): Cell | undefined => (i < record.length ? { text: record[i] ?? null } : undefined);
    addRow(b!, line, cells, record.length);
  }
  if (!header || !b) throw badFile(path, `no header row with a N°ENREGISTREMENT column in its first ${HEADER_SEARCH_ROWS} lines.`);
  return finish(file, b.read, rows, skipped, warnings);
}

/** By extension, else by content: an XLSX is a ZIP archive (`PK`). */
export async function readNomenclature(path: string): Promise<ParsedList<NomenclatureRow>> {
  const ext = extname(path).toLowerCase();
  if (ext === '.xlsx' || ext === '.xlsm') return readNomenclatureXlsx(path);
  if (ext === '.csv' || ext === '.txt') return readNomenclatureCsv(path);
  const head = readListFile(path).subarray(0, 2);
  return head.toString('latin1') === 'PK' ? readNomenclatureXlsx(path) : readNomenclatureCsv(path);
}
