/**
 * The catalog in SQLite: one file, `catalog.sqlite`, in the data directory (WAL journal).
 * Products are keyed by their normalised registration number; prices are effective-dated and
 * resolved field by field (docs/catalog.md). Imports run in one transaction.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { foldText, searchTokens } from '../../core/catalog/fold.ts';
import type { CatalogLookup, ProductAtDate } from '../../core/catalog/lookup.ts';
import { normaliseRegistration, registrationStem } from '../../core/catalog/registration.ts';
import type { ImportIssue, NomenclatureRow, ParsedList, PriceRow } from '../../core/catalog/types.ts';
import type { IsoDate } from '../../core/card/model.ts';
import { ChifaError } from '../../core/errors.ts';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.ts';

export const CATALOG_FILE = 'catalog.sqlite';

/**
 * The word tier ranks at most this many FTS matches (the first in catalog order): a query as
 * broad as `co 1` matches most of the catalog, and ranking all of it would cost tens of
 * milliseconds; one more character typed narrows it below the cap.
 */
export const FTS_RANKED = 400;

/** ' ' + the folded words of a product, for `LIKE '% WORD%'` (the two- and three-word brand tier). */
function wordsKey(p: { brand: string | null; inn: string | null; form: string | null; dosage: string | null; packaging: string | null }): string {
  return ` ${[p.brand, p.inn, p.form, p.dosage, p.packaging].filter((x) => x !== null).map((x) => searchTokens(x!).join(' ')).join(' ').toUpperCase()}`;
}

type Db = Database.Database;

export interface SearchHit {
  registration: string;
  brand: string | null;
  inn: string | null;
  form: string | null;
  dosage: string | null;
  packaging: string | null;
  ppa: number | null;
  tariff: number | null;
  reimbursable: boolean | null;
  /** Where the nomenclature lists the product; null: known by a price list only. */
  nomenclature: 'in-force' | 'withdrawn' | 'not-renewed' | null;
}

export interface ListCounts {
  file: string;
  kind: 'nomenclature' | 'prices';
  read: number;
  imported: number;
  skipped: number;
  /** Price lists: stored rows whose product is in no nomenclature row. */
  unmatched?: number;
  /** Warnings found while storing (`matched-on-stem`), in file order. */
  warnings: ImportIssue[];
}

export interface ApplyResult {
  lists: ListCounts[];
}

interface ProductRow {
  id: number;
  registration: string;
  published: string;
  in_nomenclature: number;
  sheet: string | null;
  brand: string | null;
  inn: string | null;
  form: string | null;
  dosage: string | null;
  packaging: string | null;
}

interface PriceAt {
  ppa: number | null;
  tariff: number | null;
  reimbursable: number | null;
}

function tooNew(path: string, version: number): ChifaError {
  return new ChifaError(
    'catalog-too-new',
    `The catalog ${path} has schema version ${version}, newer than this terminal knows (${SCHEMA_VERSION}): it was written by a newer version and is left untouched. Update the terminal, or use another data directory.`,
    { file: path, version, known: SCHEMA_VERSION },
  );
}

function notADatabase(path: string, e: unknown): ChifaError {
  return new ChifaError('catalog-unreadable', `The catalog ${path} cannot be opened as an SQLite database (${(e as Error).message}): it is left untouched.`, { file: path });
}

/** The schema version of an existing file, read without writing anything to it. */
export function schemaVersionOf(path: string): number {
  let ro: Db | null = null;
  try {
    ro = new Database(path, { readonly: true, fileMustExist: true });
    return ro.pragma('user_version', { simple: true }) as number;
  } catch (e) {
    throw notADatabase(path, e);
  } finally {
    ro?.close();
  }
}

export function productName(p: { brand: string | null; form: string | null; dosage: string | null; packaging: string | null; published?: string }): string {
  const parts = [p.brand, p.dosage, p.form, p.packaging].filter((x): x is string => x !== null && x !== '');
  return parts.length > 0 ? parts.join(' ') : (p.published ?? '');
}

/** How often the product cache asks SQLite whether another connection changed the catalog. */
const CACHE_CHECK_MS = 100;
const CACHE_MAX = 20_000;

export class CatalogStore implements CatalogLookup {
  readonly path: string;
  private readonly db: Db;
  private readonly st: ReturnType<CatalogStore['prepare']>;
  private readonly cache = new Map<string, ProductAtDate | null>();
  private cacheVersion = -1;
  private cacheCheckedAt = 0;

  private constructor(path: string, db: Db) {
    this.path = path;
    this.db = db;
    this.st = this.prepare();
  }

  /**
   * Opens the catalog of a data directory. A missing file is created only with `create`
   * (else null: a read-only command leaves no trace). A file newer than this code is refused
   * before anything is written to it; an older one is migrated.
   */
  static open(dir: string, opts: { create: boolean }): CatalogStore | null {
    const path = join(dir, CATALOG_FILE);
    return CatalogStore.openFile(path, opts);
  }

  static openFile(path: string, opts: { create: boolean }): CatalogStore | null {
    if (existsSync(path)) {
      const v = schemaVersionOf(path);
      if (v > SCHEMA_VERSION) throw tooNew(path, v);
    } else if (!opts.create) {
      return null;
    } else {
      mkdirSync(dirname(path), { recursive: true });
    }
    let db: Db;
    try {
      db = new Database(path);
      db.pragma('journal_mode = WAL');
    } catch (e) {
      throw notADatabase(path, e);
    }
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    try {
      migrate(db, path);
    } catch (e) {
      db.close();
      throw e;
    }
    return new CatalogStore(path, db);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  get schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  isEmpty(): boolean {
    return this.st.anyProduct.get() === undefined;
  }

  counts(): { products: number; nomenclature: number; priced: number; prices: number; barcodes: number } {
    return this.db
      .prepare(
        `SELECT (SELECT count(*) FROM products) AS products,
                (SELECT count(*) FROM products WHERE in_nomenclature = 1) AS nomenclature,
                (SELECT count(DISTINCT registration) FROM prices) AS priced,
                (SELECT count(*) FROM prices) AS prices,
                (SELECT count(*) FROM barcodes) AS barcodes`,
      )
      .get() as { products: number; nomenclature: number; priced: number; prices: number; barcodes: number };
  }

  private prepare() {
    const db = this.db;
    const priceAt = (col: string) =>
      `(SELECT ${col} FROM prices WHERE registration = p.registration AND valid_from <= @day AND ${col} IS NOT NULL ORDER BY valid_from DESC LIMIT 1) AS ${col}`;
    const cols = `p.id, p.registration, p.published, p.in_nomenclature, p.sheet, p.brand, p.inn, p.form, p.dosage, p.packaging`;
    return {
      anyProduct: db.prepare('SELECT 1 FROM products LIMIT 1'),
      dataVersion: db.prepare('PRAGMA data_version').pluck(),
      byRegistration: db.prepare(`SELECT ${cols} FROM products p WHERE p.registration = ?`),
      byStem: db.prepare(`SELECT ${cols} FROM products p WHERE p.stem = ? LIMIT 2`),
      byStemInNomenclature: db.prepare(`SELECT ${cols} FROM products p WHERE p.stem = ? AND p.in_nomenclature = 1 LIMIT 2`),
      byBarcode: db.prepare(`SELECT ${cols} FROM barcodes b JOIN products p ON p.registration = b.registration WHERE b.barcode = ?`),
      pricesAt: db.prepare(`SELECT ${priceAt('ppa')}, ${priceAt('tariff')}, ${priceAt('reimbursable')} FROM products p WHERE p.registration = @registration`),
      upsertNomenclature: db.prepare(`
        INSERT INTO products (registration, stem, published, in_nomenclature, sheet, withdrawn, not_renewed,
          code, inn, brand, form, dosage, packaging, list, p1, p2, obs, laboratory, country,
          initial_date, final_date, type, status, stability, withdrawal_date, withdrawal_reason, withdrawal_note,
          brand_key, inn_key, search_rank, words_key, source_file, updated_at)
        VALUES (@registration, @stem, @published, 1, @sheet, @withdrawn, @not_renewed,
          @code, @inn, @brand, @form, @dosage, @packaging, @list, @p1, @p2, @obs, @laboratory, @country,
          @initial_date, @final_date, @type, @status, @stability, @withdrawal_date, @withdrawal_reason, @withdrawal_note,
          @brand_key, @inn_key, @search_rank, @words_key, @source_file, @updated_at)
        ON CONFLICT (registration) DO UPDATE SET
          published = excluded.published, in_nomenclature = 1, sheet = excluded.sheet,
          withdrawn = excluded.withdrawn, not_renewed = excluded.not_renewed,
          code = excluded.code, inn = excluded.inn, brand = excluded.brand, form = excluded.form,
          dosage = excluded.dosage, packaging = excluded.packaging, list = excluded.list,
          p1 = excluded.p1, p2 = excluded.p2, obs = excluded.obs, laboratory = excluded.laboratory,
          country = excluded.country, initial_date = excluded.initial_date, final_date = excluded.final_date,
          type = excluded.type, status = excluded.status, stability = excluded.stability,
          withdrawal_date = excluded.withdrawal_date, withdrawal_reason = excluded.withdrawal_reason,
          withdrawal_note = excluded.withdrawal_note, brand_key = excluded.brand_key, inn_key = excluded.inn_key,
          search_rank = excluded.search_rank, words_key = excluded.words_key,
          source_file = excluded.source_file, updated_at = excluded.updated_at`),
      insertPriceOnly: db.prepare(`
        INSERT INTO products (registration, stem, published, in_nomenclature, inn, brand, form, dosage, packaging,
          list, laboratory, country, pharmacological_class, therapeutic_class, brand_key, inn_key, words_key, source_file, updated_at)
        VALUES (@registration, @stem, @published, 0, @inn, @brand, @form, @dosage, @packaging,
          @list, @laboratory, @country, @pharmacological_class, @therapeutic_class, @brand_key, @inn_key, @words_key, @source_file, @updated_at)`),
      // A product known by price lists only takes the latest list's descriptions where it gives them.
      refreshPriceOnly: db.prepare(`
        UPDATE products SET inn = coalesce(@inn, inn), brand = coalesce(@brand, brand), form = coalesce(@form, form),
          dosage = coalesce(@dosage, dosage), packaging = coalesce(@packaging, packaging), list = coalesce(@list, list),
          laboratory = coalesce(@laboratory, laboratory), country = coalesce(@country, country),
          pharmacological_class = coalesce(@pharmacological_class, pharmacological_class),
          therapeutic_class = coalesce(@therapeutic_class, therapeutic_class),
          brand_key = coalesce(@brand_key, brand_key), inn_key = coalesce(@inn_key, inn_key),
          words_key = coalesce(@words_key, words_key), updated_at = @updated_at
        WHERE registration = @registration AND in_nomenclature = 0`),

      // The nomenclature has no classes: a price list may add them, never overwrite its fields.
      addClasses: db.prepare(`
        UPDATE products SET pharmacological_class = coalesce(@pharmacological_class, pharmacological_class),
          therapeutic_class = coalesce(@therapeutic_class, therapeutic_class)
        WHERE registration = @registration`),
      replacePrice: db.prepare(`
        INSERT OR REPLACE INTO prices (registration, valid_from, ppa, tariff, reimbursable, source_file, imported_at)
        VALUES (@registration, @valid_from, @ppa, @tariff, @reimbursable, @source_file, @imported_at)`),
      mergePrice: db.prepare(`
        UPDATE prices SET ppa = coalesce(@ppa, ppa), tariff = coalesce(@tariff, tariff),
          reimbursable = coalesce(@reimbursable, reimbursable), source_file = @source_file, imported_at = @imported_at
        WHERE registration = @registration AND valid_from = @valid_from`),
      putBarcode: db.prepare(`
        INSERT OR REPLACE INTO barcodes (barcode, registration, source_file, imported_at)
        VALUES (@barcode, @registration, @source_file, @imported_at)`),
      logImport: db.prepare('INSERT INTO imports (imported_at, files, summary) VALUES (?, ?, ?)'),
      // Search tiers (docs/catalog.md): index range scans first, then FTS5 ranked by bm25.
      brandPrefix: db.prepare(`SELECT id FROM products WHERE search_rank = @rank AND brand_key >= @lo AND brand_key < @hi ORDER BY brand_key, id LIMIT @limit`),
      innPrefix: db.prepare(`SELECT id FROM products WHERE search_rank = @rank AND inn_key >= @lo AND inn_key < @hi ORDER BY inn_key, id LIMIT @limit`),
      registrationPrefix: db.prepare(`SELECT id FROM products WHERE registration >= @lo AND registration < @hi ORDER BY registration LIMIT @limit`),
      barcodePrefix: db.prepare(`SELECT p.id FROM barcodes b JOIN products p ON p.registration = b.registration WHERE b.barcode >= @lo AND b.barcode < @hi ORDER BY b.barcode LIMIT @limit`),
      // brandAndWords[n]: a brand starting with the first word, and n more words each starting a word.
      brandAndWords: [1, 2, 3, 4, 5].map((n) =>
        db.prepare(`SELECT id FROM products WHERE search_rank = @rank AND brand_key >= @lo AND brand_key < @hi
          ${Array.from({ length: n }, (_x, i) => `AND words_key LIKE @w${i + 1}`).join(' ')} ORDER BY brand_key, id LIMIT @limit`),
      ),
      // Ranked by bm25, over the first FTS_RANKED matches in catalog order (see search()); fts[n]
      // also asks n short words (1–2 characters) to start a word of the product (words_key).
      fts: [0, 1, 2, 3, 4, 5].map((n) =>
        db.prepare(`SELECT f.rowid AS id, p.search_rank AS rank, bm25(products_fts, 10.0, 4.0, 3.0, 3.0, 1.0) AS score
          FROM products_fts f JOIN products p ON p.id = f.rowid WHERE products_fts MATCH @q
          ${Array.from({ length: n }, (_x, i) => `AND p.words_key LIKE @w${i + 1}`).join(' ')} LIMIT ${FTS_RANKED}`),
      ),
      hitById: db.prepare(`
        SELECT p.registration, p.published, p.brand, p.inn, p.form, p.dosage, p.packaging, p.sheet, p.in_nomenclature,
          ${priceAt('ppa')}, ${priceAt('tariff')}, ${priceAt('reimbursable')}
        FROM products p WHERE p.id = @id`),
    };
  }

  // ---- CatalogLookup -------------------------------------------------------------------------

  /** A product by barcode, else normalised registration number, else the one product with the same stem. */
  findProduct(ref: string): ProductRow | null {
    const compact = ref.replace(/[\s\u00a0]+/gu, '');
    if (compact === '') return null;
    const byBarcode = this.st.byBarcode.get(compact) as ProductRow | undefined;
    if (byBarcode) return byBarcode;
    const norm = normaliseRegistration(ref);
    const exact = this.st.byRegistration.get(norm) as ProductRow | undefined;
    if (exact) return exact;
    const stem = this.st.byStem.all(registrationStem(norm)) as ProductRow[];
    return stem.length === 1 ? stem[0]! : null;
  }

  pricesAt(registration: string, day: IsoDate): PriceAt {
    return this.st.pricesAt.get({ registration, day }) as PriceAt;
  }

  /**
   * Pricing asks for the same few products all day: answers are kept per (day, reference)
   * and dropped when the catalog changes — on this connection's imports, and when SQLite's
   * data_version says another connection (a `chifa catalog import` beside the app) committed.
   */
  product(ref: string, day: IsoDate): ProductAtDate | null {
    const now = Date.now();
    if (now - this.cacheCheckedAt > CACHE_CHECK_MS) {
      this.cacheCheckedAt = now;
      const version = this.st.dataVersion.get() as number;
      if (version !== this.cacheVersion) {
        this.cache.clear();
        this.cacheVersion = version;
      }
    }
    const key = `${day}\n${ref}`;
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit;
    const found = this.lookupProduct(ref, day);
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(key, found);
    return found;
  }

  private lookupProduct(ref: string, day: IsoDate): ProductAtDate | null {
    const p = this.findProduct(ref);
    if (!p) return null;
    const pr = this.pricesAt(p.registration, day);
    return Object.freeze({
      registration: p.published,
      name: productName(p),
      ppa: pr.ppa,
      tariff: pr.tariff,
      reimbursable: pr.reimbursable === null ? null : pr.reimbursable === 1,
    });
  }

  // ---- search --------------------------------------------------------------------------------

  /**
   * Best match first: barcodes starting with the digits typed (4 or more); brands starting with
   * the text; registration numbers starting with it; INNs starting with it; then every word a
   * prefix of a word of the brand, INN, registration, barcode, form, dosage or packaging, ranked
   * by bm25 (brand weighs most). Within the brand, INN and word tiers, products in force (or
   * known by price lists) come before those not renewed, then those withdrawn.
   */
  search(text: string, day: IsoDate, limit = 20): SearchHit[] {
    const ids: number[] = [];
    const seen = new Set<number>();
    const add = (rows: unknown[]) => {
      for (const r of rows as { id: number }[]) {
        if (ids.length >= limit) return;
        if (!seen.has(r.id)) {
          seen.add(r.id);
          ids.push(r.id);
        }
      }
    };
    const range = (lo: string) => ({ lo, hi: `${lo}\uffff`, limit });
    const folded = foldText(text);
    const compact = text.replace(/[\s\u00a0]+/gu, '');
    if (folded === '' || limit <= 0) return [];
    if (/^\d{4,}$/u.test(compact)) add(this.st.barcodePrefix.all(range(compact)));
    const tokens = searchTokens(text);
    for (let rank = 0; rank <= 2 && ids.length < limit; rank++) add(this.st.brandPrefix.all({ ...range(folded), rank }));
    const more = this.st.brandAndWords[tokens.length - 2];
    if (more) {
      // `dolip 1000`: a brand starting with the first word, every other word starting a word of the product.
      const words = Object.fromEntries(tokens.slice(1).map((t, i) => [`w${i + 1}`, `% ${t.toUpperCase()}%`]));
      for (let rank = 0; rank <= 2 && ids.length < limit; rank++) add(more.all({ ...range(tokens[0]!.toUpperCase()), ...words, rank }));
    }
    // `027/0`, `414/ 16 D`: what is typed is a registration number; its normalised prefix is the whole answer.
    const registrationLike = /^\d+\s*\//u.test(text.trim());
    if (ids.length < limit && /^\d/u.test(compact)) add(this.st.registrationPrefix.all(range(normaliseRegistration(text))));
    if (registrationLike) return this.hits(ids, day);
    for (let rank = 0; rank <= 2 && ids.length < limit; rank++) add(this.st.innPrefix.all({ ...range(folded), rank }));
    if (ids.length < limit && tokens.length > 0) {
      // Words of one or two characters match half the catalog: beside a longer word they filter
      // the longer word's matches (words_key) instead of joining the full-text query.
      const long = tokens.filter((t) => t.length >= 3);
      const short = long.length > 0 ? tokens.filter((t) => t.length < 3).slice(0, 5) : [];
      const q = (long.length > 0 ? long : tokens).map((t) => `"${t}"*`).join(' ');
      const words = Object.fromEntries(short.map((t, i) => [`w${i + 1}`, `% ${t.toUpperCase()}%`]));
      const found = this.st.fts[short.length]!.all({ q, ...words }) as { id: number; rank: number; score: number }[];
      found.sort((a, b) => a.rank - b.rank || a.score - b.score || a.id - b.id);
      add(found);
    }
    return this.hits(ids, day);
  }

  private hits(ids: number[], day: IsoDate): SearchHit[] {
    return ids.map((id) => {
      const r = this.st.hitById.get({ id, day }) as {
        published: string; brand: string | null; inn: string | null; form: string | null; dosage: string | null;
        packaging: string | null; sheet: SearchHit['nomenclature']; ppa: number | null; tariff: number | null; reimbursable: number | null;
      };
      return {
        registration: r.published,
        brand: r.brand,
        inn: r.inn,
        form: r.form,
        dosage: r.dosage,
        packaging: r.packaging,
        ppa: r.ppa,
        tariff: r.tariff,
        reimbursable: r.reimbursable === null ? null : r.reimbursable === 1,
        nomenclature: r.sheet,
      };
    });
  }

  // ---- import --------------------------------------------------------------------------------

  /**
   * Stores parsed lists in ONE transaction: the nomenclature lists first, then the price lists
   * (so a price list matches the products of a nomenclature given in the same import). Any
   * failure rolls everything back.
   */
  apply(
    nomenclature: ParsedList<NomenclatureRow>[],
    prices: ParsedList<PriceRow>[],
    opts: { validFrom: IsoDate; now?: Date },
  ): ApplyResult {
    const now = (opts.now ?? new Date()).toISOString();
    const st = this.st;
    const run = this.db.transaction((): ApplyResult => {
      const lists: ListCounts[] = [];
      for (const list of nomenclature) {
        for (const { row } of list.rows) {
          st.upsertNomenclature.run({
            registration: normaliseRegistration(row.registration),
            stem: registrationStem(row.registration),
            published: row.registration,
            sheet: row.sheet,
            withdrawn: row.sheet === 'withdrawn' ? 1 : 0,
            not_renewed: row.sheet === 'not-renewed' ? 1 : 0,
            code: row.code, inn: row.inn, brand: row.brand, form: row.form, dosage: row.dosage,
            packaging: row.packaging, list: row.list, p1: row.p1, p2: row.p2, obs: row.obs,
            laboratory: row.laboratory, country: row.country, initial_date: row.initialDate,
            final_date: row.finalDate, type: row.type, status: row.status, stability: row.stability,
            withdrawal_date: row.withdrawalDate, withdrawal_reason: row.withdrawalReason,
            withdrawal_note: row.withdrawalNote ?? null,
            brand_key: row.brand === null ? null : foldText(row.brand),
            inn_key: row.inn === null ? null : foldText(row.inn),
            search_rank: row.sheet === 'withdrawn' ? 2 : row.sheet === 'not-renewed' ? 1 : 0,
            words_key: wordsKey(row),
            source_file: list.file,
            updated_at: now,
          });
        }
        lists.push({ file: list.file, kind: 'nomenclature', read: list.read, imported: list.read - list.skipped.length, skipped: list.skipped.length, warnings: [] });
      }
      // Within one import, the first list to price a product on a date replaces that date's
      // row; later lists of the same import only fill in or overwrite the values they give.
      const touched = new Set<string>();
      for (const list of prices) {
        let unmatched = 0;
        const warnings: ImportIssue[] = [];
        for (const { row, line, sheet } of list.rows) {
          const reg = normaliseRegistration(row.registration);
          let target = st.byRegistration.get(reg) as ProductRow | undefined;
          if (!target) {
            const cands = st.byStemInNomenclature.all(registrationStem(reg)) as ProductRow[];
            if (cands.length === 1) {
              target = cands[0]!;
              warnings.push({
                file: list.file, sheet, row: line, field: 'registration', value: row.registration, code: 'matched-on-stem',
                message: `Registration number ${row.registration} is in no nomenclature row; it was matched on its first three segments to ${target.published}.`,
              });
            }
          }
          const desc = {
            registration: target?.registration ?? reg,
            inn: row.inn, brand: row.brand, form: row.form, dosage: row.dosage, packaging: row.packaging,
            list: row.list, laboratory: row.laboratory, country: row.country,
            pharmacological_class: row.pharmacologicalClass, therapeutic_class: row.therapeuticClass,
            brand_key: row.brand === null ? null : foldText(row.brand),
            inn_key: row.inn === null ? null : foldText(row.inn),
            words_key: row.brand ?? row.inn ?? row.form ?? row.dosage ?? row.packaging ? wordsKey(row) : null,
            updated_at: now,
          };
          if (!target) {
            st.insertPriceOnly.run({ ...desc, stem: registrationStem(reg), published: row.registration, source_file: list.file });
            unmatched++;
          } else if (target.in_nomenclature === 0) {
            st.refreshPriceOnly.run(desc);
            unmatched++;
          } else {
            st.addClasses.run(desc);
          }
          const price = {
            registration: desc.registration,
            valid_from: row.validFrom ?? opts.validFrom,
            ppa: row.ppa,
            tariff: row.tariff,
            reimbursable: row.reimbursable === null ? null : row.reimbursable ? 1 : 0,
            source_file: list.file,
            imported_at: now,
          };
          const key = `${price.registration}|${price.valid_from}`;
          if (touched.has(key)) st.mergePrice.run(price);
          else st.replacePrice.run(price);
          touched.add(key);
          if (row.barcode) st.putBarcode.run({ barcode: row.barcode, registration: desc.registration, source_file: list.file, imported_at: now });
        }
        lists.push({ file: list.file, kind: 'prices', read: list.read, imported: list.read - list.skipped.length, skipped: list.skipped.length, unmatched, warnings });
      }
      this.rebuildSearchIndex();
      st.logImport.run(now, JSON.stringify(lists.map((l) => l.file)), JSON.stringify(lists.map(({ warnings: _w, ...c }) => c)));
      return { lists };
    });
    try {
      return run();
    } finally {
      this.cache.clear();
    }
  }

  /** The FTS5 index is derived data: rebuilt whole inside the import's transaction. */
  private rebuildSearchIndex(): void {
    this.db.exec(`
      DELETE FROM products_fts;
      INSERT INTO products_fts (rowid, brand, inn, registration, barcode, details)
      SELECT p.id, p.brand, p.inn,
             p.published || ' ' || p.registration,
             (SELECT group_concat(b.barcode, ' ') FROM barcodes b WHERE b.registration = p.registration),
             concat_ws(' ', p.form, p.dosage, p.packaging)
      FROM products p;
    `);
  }

  /** For tests and benches: runs raw SQL inside the store's connection. */
  get connection(): Db {
    return this.db;
  }
}

function migrate(db: Db, path: string): void {
  if ((db.pragma('user_version', { simple: true }) as number) === SCHEMA_VERSION) return;
  db.transaction(() => {
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current > SCHEMA_VERSION) throw tooNew(path, current);
    for (const m of MIGRATIONS) {
      if (m.version <= current) continue;
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }
  }).immediate();
}
