/** The SQLite catalog: migrations, one transaction per import, effective dating, matching, lookup. */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/adapters/catalog-db/migrations.ts';
import { CATALOG_FILE, CatalogStore } from '../../src/adapters/catalog-db/store.ts';
import { importCatalog, openCatalogLookup } from '../../src/app/catalog.ts';
import type { Paths } from '../../src/app/home.ts';
import type { PriceRow } from '../../src/core/catalog/types.ts';
import { isChifaError } from '../../src/core/errors.ts';

const FIX = join(import.meta.dirname, '..', 'fixtures', 'catalog');

function tempHome(): Paths & { dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'chifa-catalog-'));
  return { dir, home: join(dir, 'home'), trust: join(dir, 'home', 'trust') };
}

function csv(dir: string, name: string, lines: string[]): string {
  const p = join(dir, name);
  writeFileSync(p, `registration;ppa;tariff;reimbursable;valid_from\n${lines.join('\n')}\n`);
  return p;
}

function snapshot(paths: Paths) {
  const s = CatalogStore.open(paths.home, { create: false })!;
  try {
    const db = s.connection;
    return {
      products: db.prepare('SELECT * FROM products ORDER BY id').all(),
      prices: db.prepare('SELECT * FROM prices ORDER BY registration, valid_from').all(),
      barcodes: db.prepare('SELECT * FROM barcodes ORDER BY barcode').all(),
    };
  } finally {
    s.close();
  }
}

describe('migrations', () => {
  it('are numbered 1, 2, … in order', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_m, i) => i + 1));
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.length);
  });

  it('create a fresh catalog in WAL mode, and reopening changes nothing', () => {
    const p = tempHome();
    expect(CatalogStore.open(p.home, { create: false })).toBeNull();
    expect(existsSync(p.home)).toBe(false);
    const s = CatalogStore.open(p.home, { create: true })!;
    expect(s.schemaVersion).toBe(SCHEMA_VERSION);
    expect(s.connection.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(s.isEmpty()).toBe(true);
    s.close();
    const again = CatalogStore.open(p.home, { create: false })!;
    expect(again.schemaVersion).toBe(SCHEMA_VERSION);
    again.close();
  });

  it('refuse a catalog newer than the code and leave its file untouched, byte for byte', () => {
    const p = tempHome();
    CatalogStore.open(p.home, { create: true })!.close();
    const file = join(p.home, CATALOG_FILE);
    const raw = new Database(file);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    const before = readFileSync(file);
    let error: unknown;
    try {
      CatalogStore.open(p.home, { create: false });
    } catch (e) {
      error = e;
    }
    expect(isChifaError(error, 'catalog-too-new')).toBe(true);
    expect((error as Error).message).toMatch(new RegExp(`schema version ${SCHEMA_VERSION + 1}, newer than this terminal knows \\(${SCHEMA_VERSION}\\)`));
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('refuse a file that is not a database and leave it untouched', () => {
    const p = tempHome();
    CatalogStore.open(p.home, { create: true })!.close();
    const file = join(p.home, CATALOG_FILE);
    writeFileSync(file, 'not a database, but a file someone put there'.repeat(40));
    const before = readFileSync(file);
    expect(() => CatalogStore.open(p.home, { create: false })).toThrow(/cannot be opened as an SQLite database/);
    expect(readFileSync(file).equals(before)).toBe(true);
  });
});

describe('import', () => {
  it('matches a price row on the stem when its full number matches no product, and says so', async () => {
    const p = tempHome();
    const r = await importCatalog(p, { nomenclature: [join(FIX, 'nomenclature-export.csv')], prices: [join(FIX, 'prices.csv')], validFrom: '2025-01-01' });
    expect(r.nomenclature).toEqual({ read: 5, imported: 4, skipped: 1 });
    expect(r.prices).toEqual({ read: 7, imported: 5, skipped: 2, unmatched: 1 });
    const stem = r.warnings.filter((w) => w.code === 'matched-on-stem');
    expect(stem.map((w) => [w.file, w.row, w.value])).toEqual([
      ['prices.csv', 3, '414/16D103/08/16'],
      ['prices.csv', 4, '285/06E053/97'],
    ]);
    const lookup = openCatalogLookup(p);
    try {
      expect(lookup.product('414/16 D 103/08', '2025-01-01')).toEqual({ registration: '414/ 16 D 103 /08', name: 'ABILIFY 10MG COMP B/28; BLISTER', ppa: 584227, tariff: null, reimbursable: true });
      expect(lookup.product('285/06 E 053/97/16', '2025-01-01')).toMatchObject({ registration: '285/06E053/97/16', ppa: 89900, tariff: 31300, reimbursable: true });
      // Known by price only: kept, unmatched.
      expect(lookup.product('123/45A678/90', '2025-01-01')).toMatchObject({ registration: '123/45A678/90', ppa: 9000, reimbursable: false });
      // The stem of a reference finds the one product that has it …
      expect(lookup.product('352/01A003/06', '2025-01-01')).toMatchObject({ registration: '352/01 A 003/06/22', ppa: 584220, tariff: 19474 });
      expect(lookup.product('352/01A003/06/99', '2025-01-01')).toMatchObject({ registration: '352/01 A 003/06/22' });
      // … no product, nothing.
      expect(lookup.product('999/99Z999/99', '2025-01-01')).toBeNull();
      expect(lookup.product('   ', '2025-01-01')).toBeNull();
    } finally {
      lookup.close();
    }
  });

  it('leaves a stem shared by two products unmatched', async () => {
    const p = tempHome();
    const nom = join(p.dir, 'two.csv');
    writeFileSync(nom, 'N°ENREGISTREMENT;DENOMINATION COMMUNE INTERNATIONALE;NOM DE MARQUE;FORME;DOSAGE;COND\n100/01A001/10/15;X;A;C;1;B\n100/01A001/10/18;X;B;C;1;B\n');
    const r = await importCatalog(p, { nomenclature: [nom], prices: [csv(p.dir, 'p.csv', ['100/01A001/10;10;;;'])], validFrom: '2025-01-01' });
    expect(r.prices!.unmatched).toBe(1);
    expect(r.warnings.filter((w) => w.code === 'matched-on-stem')).toEqual([]);
    const lookup = openCatalogLookup(p);
    expect(lookup.product('100/01A001/10/15', '2025-01-01')!.ppa).toBeNull();
    expect(lookup.product('100/01A001/10', '2025-01-01')!.ppa).toBe(1000); // the price-only product itself
    lookup.close();
  });

  it('is one transaction: a bad second file leaves the catalog as it was', async () => {
    const p = tempHome();
    await importCatalog(p, { nomenclature: [join(FIX, 'nomenclature-export.csv')], prices: [join(FIX, 'prices.csv')], validFrom: '2025-01-01' });
    const before = snapshot(p);
    const good = csv(p.dir, 'good.csv', ['352/01 A 003/06/22;1.00;1.00;0;']);
    await expect(importCatalog(p, { nomenclature: [join(FIX, 'nomenclature-export.csv')], prices: [good, join(FIX, 'prices-wrong-columns.csv')], validFrom: '2025-01-01' })).rejects.toSatisfy(
      (e) => isChifaError(e, 'invalid-input') && /prices-wrong-columns\.csv/.test((e as Error).message),
    );
    await expect(importCatalog(p, { nomenclature: [join(FIX, 'not-a-workbook.xlsx')], prices: [good], validFrom: '2025-01-01' })).rejects.toThrow(/not-a-workbook\.xlsx/);
    expect(snapshot(p)).toEqual(before);
  });

  it('rolls back a failure while storing: nothing of the import stays', async () => {
    const p = tempHome();
    await importCatalog(p, { nomenclature: [join(FIX, 'nomenclature-export.csv')], prices: [], validFrom: '2025-01-01' });
    const before = snapshot(p);
    const store = CatalogStore.open(p.home, { create: false })!;
    const row = (registration: string, ppa: number): PriceRow => ({
      registration, ppa, tariff: null, reimbursable: null, validFrom: null, brand: null, inn: null, form: null, dosage: null,
      packaging: null, laboratory: null, country: null, list: null, pharmacologicalClass: null, therapeuticClass: null, barcode: '2000000000015',
    });
    const list = { file: 'evil.csv', read: 2, skipped: [], warnings: [], rows: [{ row: row('352/01A003/06/22', 100), sheet: null, line: 2 }, { row: row('NEW/1/2', -5), sheet: null, line: 3 }] };
    expect(() => store.apply([], [list], { validFrom: '2025-01-01' })).toThrow(/CHECK constraint/);
    store.close();
    expect(snapshot(p)).toEqual(before);
  });
});

describe('effective dating', () => {
  it('adds later validities, replaces the same date, and keeps earlier values a list says nothing about', async () => {
    const p = tempHome();
    const nom = join(FIX, 'nomenclature-export.csv');
    await importCatalog(p, { nomenclature: [nom], prices: [csv(p.dir, 'a.csv', ['352/01A003/06/22;100;80;1;', '285/06E053/97/16;50;;0;'])], validFrom: '2025-01-01' });
    await importCatalog(p, { nomenclature: [], prices: [csv(p.dir, 'b.csv', ['352/01A003/06/22;120;;;'])], validFrom: '2025-06-01' });
    const at = (ref: string, day: string) => {
      const l = openCatalogLookup(p);
      try {
        const x = l.product(ref, day)!;
        return [x.ppa, x.tariff, x.reimbursable];
      } finally {
        l.close();
      }
    };
    const DOLIPRANE = '352/01 A 003/06/22';
    expect(at(DOLIPRANE, '2024-12-31')).toEqual([null, null, null]);
    expect(at(DOLIPRANE, '2025-01-01')).toEqual([10000, 8000, true]);
    expect(at(DOLIPRANE, '2025-05-31')).toEqual([10000, 8000, true]);
    // At and after the new date: the new PPA; the tariff and flag the new list does not give stay.
    expect(at(DOLIPRANE, '2025-06-01')).toEqual([12000, 8000, true]);
    expect(at(DOLIPRANE, '2030-01-01')).toEqual([12000, 8000, true]);
    // A product the second list does not name keeps its values.
    expect(at('285/06E053/97/16', '2025-07-01')).toEqual([5000, null, false]);

    // Same date again: that date's values are replaced (the earlier validity is untouched).
    await importCatalog(p, { nomenclature: [], prices: [csv(p.dir, 'c.csv', ['352/01A003/06/22;130;90;;'])], validFrom: '2025-06-01' });
    expect(at(DOLIPRANE, '2025-06-01')).toEqual([13000, 9000, true]);
    expect(at(DOLIPRANE, '2025-05-31')).toEqual([10000, 8000, true]);
    await importCatalog(p, { nomenclature: [], prices: [csv(p.dir, 'd.csv', ['352/01A003/06/22;140;;0;'])], validFrom: '2025-06-01' });
    expect(at(DOLIPRANE, '2025-06-01')).toEqual([14000, 8000, false]);

    // A list's own valid_from wins over --valid-from; an earlier date never rewrites a later one.
    await importCatalog(p, { nomenclature: [], prices: [csv(p.dir, 'e.csv', ['352/01A003/06/22;110;;;2025-03-01'])], validFrom: '2099-01-01' });
    expect(at(DOLIPRANE, '2025-03-01')).toEqual([11000, 8000, true]);
    expect(at(DOLIPRANE, '2025-06-01')).toEqual([14000, 8000, false]);
    const snap = snapshot(p).prices as { valid_from: string; source_file: string }[];
    expect(snap.map((r) => [r.valid_from, r.source_file])).toEqual([
      ['2025-01-01', 'a.csv'], // 285/06E053/97/16
      ['2025-01-01', 'a.csv'], // 352/01A003/06/22 …
      ['2025-03-01', 'e.csv'],
      ['2025-06-01', 'd.csv'],
    ]);
  });

  it('merges lists of one import that price the same product on the same date', async () => {
    const p = tempHome();
    await importCatalog(p, {
      nomenclature: [join(FIX, 'nomenclature-export.csv')],
      prices: [csv(p.dir, 'a.csv', ['352/01A003/06/22;100;;1;']), csv(p.dir, 'b.csv', ['352/01A003/06/22;;80;;'])],
      validFrom: '2025-01-01',
    });
    const l = openCatalogLookup(p);
    expect(l.product('352/01A003/06/22', '2025-01-01')).toMatchObject({ ppa: 10000, tariff: 8000, reimbursable: true });
    l.close();
  });

  it('finds a product by barcode', async () => {
    const p = tempHome();
    const withBarcode = join(p.dir, 'bc.csv');
    writeFileSync(withBarcode, 'registration;ppa;tariff;reimbursable;valid_from;barcode\n352/01A003/06/22;100;;1;;2000000000015\n');
    await importCatalog(p, { nomenclature: [join(FIX, 'nomenclature-export.csv')], prices: [withBarcode], validFrom: '2025-01-01' });
    const l = openCatalogLookup(p);
    expect(l.product('2000000000015', '2025-01-01')).toMatchObject({ registration: '352/01 A 003/06/22', ppa: 10000 });
    expect(l.product(' 2000000 000015 ', '2025-01-01')).toMatchObject({ registration: '352/01 A 003/06/22' });
    l.close();
  });
});

describe('the product cache of the lookup', () => {
  it('sees an import made by this connection at once, and one made by another process within the check interval', async () => {
    const p = tempHome();
    await importCatalog(p, { nomenclature: [], prices: [csv(p.dir, 'a.csv', ['100/02 B 010/10/21;450,50;410,00;1;2024-01-01'])], validFrom: '2024-01-01' });
    const lookup = openCatalogLookup(p);
    try {
      expect(lookup.product('100/02B010/10/21', '2026-03-15')?.ppa).toBe(45050);
      // Another connection (as `chifa catalog import` beside the app) replaces that date's price.
      await importCatalog(p, { nomenclature: [], prices: [csv(p.dir, 'b.csv', ['100/02 B 010/10/21;500,00;410,00;1;2024-01-01'])], validFrom: '2024-01-01' });
      await new Promise((r) => setTimeout(r, 150));
      expect(lookup.product('100/02B010/10/21', '2026-03-15')?.ppa).toBe(50000);
    } finally {
      lookup.close();
    }
  });
});
