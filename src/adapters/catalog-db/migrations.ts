/**
 * The catalog's schema, as numbered migrations applied in order, in one transaction, at start-up.
 * `PRAGMA user_version` holds the number of the last one applied. A migration is never edited
 * once released: a change is a new entry at the end.
 */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'products, barcodes, effective-dated prices, imports, full-text search',
    sql: `
      CREATE TABLE products (
        id INTEGER PRIMARY KEY,
        registration TEXT NOT NULL UNIQUE,      -- normalised: upper case, no spaces
        stem TEXT NOT NULL,                     -- first three segments of registration
        published TEXT NOT NULL,                -- as the list writes it
        in_nomenclature INTEGER NOT NULL DEFAULT 0,
        sheet TEXT CHECK (sheet IN ('in-force', 'withdrawn', 'not-renewed')),
        withdrawn INTEGER NOT NULL DEFAULT 0,
        not_renewed INTEGER NOT NULL DEFAULT 0,
        code TEXT, inn TEXT, brand TEXT, form TEXT, dosage TEXT, packaging TEXT, list TEXT,
        p1 TEXT, p2 TEXT, obs TEXT, laboratory TEXT, country TEXT,
        initial_date TEXT, final_date TEXT, type TEXT, status TEXT, stability TEXT,
        withdrawal_date TEXT, withdrawal_reason TEXT, withdrawal_note TEXT,
        pharmacological_class TEXT, therapeutic_class TEXT,
        brand_key TEXT, inn_key TEXT,           -- folded for prefix search
        -- search order: 0 in force or known by price lists, 1 not renewed, 2 withdrawn
        search_rank INTEGER NOT NULL DEFAULT 0,
        -- ' ' + the folded words of brand, INN, form, dosage and packaging, for LIKE '% WORD%'
        words_key TEXT,
        source_file TEXT,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX products_stem ON products (stem);
      CREATE INDEX products_brand_key ON products (search_rank, brand_key);
      CREATE INDEX products_inn_key ON products (search_rank, inn_key);

      CREATE TABLE barcodes (
        barcode TEXT PRIMARY KEY,
        registration TEXT NOT NULL REFERENCES products (registration),
        source_file TEXT NOT NULL,
        imported_at TEXT NOT NULL
      );
      CREATE INDEX barcodes_registration ON barcodes (registration);

      -- One row per product and validity date; a null column says nothing (see docs/catalog.md).
      CREATE TABLE prices (
        registration TEXT NOT NULL REFERENCES products (registration),
        valid_from TEXT NOT NULL,
        ppa INTEGER CHECK (ppa IS NULL OR ppa > 0),
        tariff INTEGER CHECK (tariff IS NULL OR tariff > 0),
        reimbursable INTEGER CHECK (reimbursable IS NULL OR reimbursable IN (0, 1)),
        source_file TEXT NOT NULL,
        imported_at TEXT NOT NULL,
        PRIMARY KEY (registration, valid_from)
      ) WITHOUT ROWID;

      CREATE TABLE imports (
        id INTEGER PRIMARY KEY,
        imported_at TEXT NOT NULL,
        files TEXT NOT NULL,
        summary TEXT NOT NULL
      );

      CREATE VIRTUAL TABLE products_fts USING fts5 (
        brand, inn, registration, barcode, details,
        tokenize = 'unicode61 remove_diacritics 2',
        prefix = '1 2 3'
      );
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
