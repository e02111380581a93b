/**
 * Catalog use cases: importing the published lists, searching, and the lookup pricing uses.
 * The catalog lives in `catalog.sqlite` in the data directory (docs/catalog.md).
 */
import { join } from 'node:path';
import { CatalogStore, type SearchHit } from '../adapters/catalog-db/store.ts';
import { readNomenclature } from '../adapters/catalog-files/nomenclature.ts';
import { readPrices } from '../adapters/catalog-files/prices.ts';
import { isIsoDate } from '../adapters/catalog-files/common.ts';
import { calendarDay } from '../core/clock.ts';
import type { CatalogLookup } from '../core/catalog/lookup.ts';
import type { ImportIssue, NomenclatureRow, ParsedList, PriceRow } from '../core/catalog/types.ts';
import type { IsoDate } from '../core/card/model.ts';
import { ChifaError } from '../core/errors.ts';
import { DEMO_DIR, ensureHome, type Paths } from './home.ts';

export const DEMO_CATALOG_DIR = join(DEMO_DIR, 'catalog');
export const DEMO_NOMENCLATURE = join(DEMO_CATALOG_DIR, 'nomenclature-demo.csv');
export const DEMO_PRICES = join(DEMO_CATALOG_DIR, 'prices-demo.csv');
export const DEMO_FIXTURE_PRICES = join(DEMO_CATALOG_DIR, 'prices-demo-fixtures.csv');
/** Every row of the demo price lists carries this `valid_from`: the demo is the same whatever the day. */
export const DEMO_VALID_FROM = '2024-01-01';

export interface ImportRequest {
  nomenclature: string[];
  prices: string[];
  /** Validity of lists without dates; default: today. */
  validFrom?: IsoDate;
  /** Adds the embedded demo catalog (data/demo/catalog) to the files. */
  demo?: boolean;
}

export interface FileCounts {
  file: string;
  kind: 'nomenclature' | 'prices';
  read: number;
  imported: number;
  skipped: number;
  unmatched?: number;
  /** Price lists: stored rows that carry no date of their own (valid from `validFrom`). */
  undated?: number;
  warnings: number;
}

/** The document of `catalog import --json` (json-contract.md), plus `files` and `validFrom`. */
export interface ImportReport {
  nomenclature: { read: number; imported: number; skipped: number } | null;
  prices: { read: number; imported: number; skipped: number; unmatched: number } | null;
  skippedRows: ImportIssue[];
  warnings: ImportIssue[];
  files: FileCounts[];
  validFrom: IsoDate;
}

export function noCatalog(): ChifaError {
  return new ChifaError(
    'no-catalog',
    'The catalog is empty. Import the lists with `chifa catalog import FILES`, or load the demo catalog with `chifa catalog import --demo`.',
  );
}

const byRow = (a: ImportIssue, b: ImportIssue) => a.row - b.row;

function sortIssues(list: ImportIssue[], sheets: (string | null)[]): ImportIssue[] {
  return list
    .map((x, i) => ({ x, i }))
    .sort((a, b) => sheets.indexOf(a.x.sheet) - sheets.indexOf(b.x.sheet) || byRow(a.x, b.x) || a.i - b.i)
    .map((e) => e.x);
}

export async function importCatalog(paths: Paths, req: ImportRequest, now = new Date()): Promise<ImportReport> {
  const validFrom = req.validFrom ?? calendarDay(now);
  if (!isIsoDate(validFrom)) throw new ChifaError('invalid-input', `--valid-from must be a date YYYY-MM-DD, not "${validFrom}".`);
  const nomenclatureFiles = [...(req.demo ? [DEMO_NOMENCLATURE] : []), ...req.nomenclature];
  const priceFiles = [...(req.demo ? [DEMO_PRICES, DEMO_FIXTURE_PRICES] : []), ...req.prices];
  if (nomenclatureFiles.length === 0 && priceFiles.length === 0) {
    throw new ChifaError('invalid-input', 'Nothing to import: give --nomenclature FILE, --prices FILE, or --demo.');
  }
  // Every file is read before anything is stored: a file that fails leaves the catalog as it was.
  const nomenclature: ParsedList<NomenclatureRow>[] = [];
  for (const f of nomenclatureFiles) nomenclature.push(await readNomenclature(f));
  const prices: ParsedList<PriceRow>[] = priceFiles.map((f) => readPrices(f));

  ensureHome(paths);
  const store = CatalogStore.open(paths.home, { create: true })!;
  let applied;
  try {
    applied = store.apply(nomenclature, prices, { validFrom, now });
  } finally {
    store.close();
  }

  const files: FileCounts[] = [];
  const skippedRows: ImportIssue[] = [];
  const warnings: ImportIssue[] = [];
  const lists = [...nomenclature, ...prices];
  applied.lists.forEach((c, i) => {
    const parsed = lists[i]!;
    const sheets = [...new Set([...parsed.rows.map((r) => r.sheet), ...parsed.skipped.map((s) => s.sheet), ...parsed.warnings.map((w) => w.sheet)])];
    const w = sortIssues([...parsed.warnings, ...c.warnings], sheets);
    skippedRows.push(...parsed.skipped);
    warnings.push(...w);
    const undated = c.kind === 'prices' ? (parsed as ParsedList<PriceRow>).rows.filter((r) => r.row.validFrom === null).length : 0;
    files.push({ file: c.file, kind: c.kind, read: c.read, imported: c.imported, skipped: c.skipped, ...(c.kind === 'prices' ? { unmatched: c.unmatched ?? 0, undated } : {}), warnings: w.length });
  });
  const sum = (kind: FileCounts['kind']) => {
    const f = files.filter((x) => x.kind === kind);
    if (f.length === 0) return null;
    return {
      read: f.reduce((a, x) => a + x.read, 0),
      imported: f.reduce((a, x) => a + x.imported, 0),
      skipped: f.reduce((a, x) => a + x.skipped, 0),
      unmatched: f.reduce((a, x) => a + (x.unmatched ?? 0), 0),
    };
  };
  const n = sum('nomenclature');
  return {
    nomenclature: n ? { read: n.read, imported: n.imported, skipped: n.skipped } : null,
    prices: sum('prices'),
    skippedRows,
    warnings,
    files,
    validFrom,
  };
}

/** The catalog of a data directory, for reading; `no-catalog` when there is none or it is empty. */
export function openCatalog(paths: Pick<Paths, 'home'>): CatalogStore {
  const store = CatalogStore.open(paths.home, { create: false });
  if (!store) throw noCatalog();
  if (store.isEmpty()) {
    store.close();
    throw noCatalog();
  }
  return store;
}

/** What pricing uses: `product(ref, day)`; close it when done. `no-catalog` when there is none. */
export function openCatalogLookup(paths: Pick<Paths, 'home'>): CatalogLookup & { close(): void } {
  return openCatalog(paths);
}

export function searchCatalog(paths: Pick<Paths, 'home'>, text: string, opts: { limit?: number; day?: IsoDate } = {}): SearchHit[] {
  const store = openCatalog(paths);
  try {
    return store.search(text, opts.day ?? calendarDay(), opts.limit ?? 20);
  } finally {
    store.close();
  }
}
