/**
 * What the importers read out of the published lists, before anything is stored. Parsing
 * (src/adapters/catalog-files/) produces these; the catalog store (src/adapters/catalog-db/)
 * takes them in one transaction. Amounts are integer centimes, dates `YYYY-MM-DD`.
 */
import type { IsoDate } from '../card/model.ts';

/** The three sheets of the ministry's nomenclature. */
export type NomenclatureSheet = 'in-force' | 'withdrawn' | 'not-renewed';

export interface NomenclatureRow {
  /** As published, e.g. `352/01 A 003/06/22`. */
  registration: string;
  code: string | null;
  inn: string | null;
  brand: string | null;
  form: string | null;
  dosage: string | null;
  packaging: string | null;
  list: string | null;
  /** `P1`/`P2`: `HOP` hospital, `OFF` pharmacy. */
  p1: string | null;
  p2: string | null;
  obs: string | null;
  laboratory: string | null;
  country: string | null;
  initialDate: IsoDate | null;
  finalDate: IsoDate | null;
  /** generic, reference, biosimilar … as published. */
  type: string | null;
  /** local, imported … as published. */
  status: string | null;
  stability: string | null;
  sheet: NomenclatureSheet;
  withdrawalDate: IsoDate | null;
  withdrawalReason: string | null;
  /**
   * The withdrawal-date cell as published when it is more than a plain date (`ABROGATION`,
   * `RETRAIT LE 10/07/2017`, two dated withdrawals …); null when it is a plain date or empty.
   */
  withdrawalNote?: string | null;
}

export interface PriceRow {
  registration: string;
  ppa: number | null;
  tariff: number | null;
  reimbursable: boolean | null;
  /** null: the list gives no date; the import's `--valid-from` applies. */
  validFrom: IsoDate | null;
  /** Descriptive fields some price lists carry (the JSON list does); null where absent. */
  brand: string | null;
  inn: string | null;
  form: string | null;
  dosage: string | null;
  packaging: string | null;
  laboratory: string | null;
  country: string | null;
  list: string | null;
  pharmacologicalClass: string | null;
  therapeuticClass: string | null;
  barcode: string | null;
}

/** One item of `skippedRows` or `warnings` (json-contract.md, `catalog import`). */
export interface ImportIssue {
  file: string;
  sheet: string | null;
  row: number;
  field: string | null;
  value: string | null;
  code: string;
  message: string;
}

export interface ParsedRow<T> {
  row: T;
  sheet: string | null;
  /** 1-based row of the sheet or line of the file; for the JSON list the item's position. */
  line: number;
}

export interface ParsedList<T> {
  file: string;
  /** Data rows read (title and header rows not counted). */
  read: number;
  rows: ParsedRow<T>[];
  skipped: ImportIssue[];
  warnings: ImportIssue[];
}
