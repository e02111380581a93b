/**
 * The whole shared lists imported into an empty catalog: the counts are recorded here (and in
 * docs/catalog.md) so that a change in the importers shows. Without ../shared this file says it
 * is skipped; in CI (process.env.CI set) ../shared is required.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readPriceJson } from '../../src/adapters/catalog-files/prices.ts';
import { importCatalog, openCatalogLookup, searchCatalog, type ImportReport } from '../../src/app/catalog.ts';
import { SHARED_NOMENCLATURE, SHARED_PRICES } from '../../src/app/demo-catalog.ts';
import type { Paths } from '../../src/app/home.ts';
import { parseAmount } from '../../src/core/catalog/amount.ts';

const shared = existsSync(SHARED_NOMENCLATURE) && existsSync(SHARED_PRICES);
if (!shared) {
  if (process.env.CI) throw new Error(`CI needs the shared lists (${SHARED_NOMENCLATURE}, ${SHARED_PRICES}).`);
  process.stderr.write('catalog-shared: ../shared is absent: the import of the full shared lists is skipped.\n');
}

const DAY = '2020-01-01';
const countBy = (items: { file: string; code: string }[]) => {
  const out: Record<string, number> = {};
  for (const i of items) out[`${i.file}: ${i.code}`] = (out[`${i.file}: ${i.code}`] ?? 0) + 1;
  return out;
};

describe.skipIf(!shared)('the shared lists imported into an empty catalog', () => {
  let paths: Paths;
  let report: ImportReport;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chifa-shared-'));
    paths = { home: join(dir, 'home'), trust: join(dir, 'trust') };
    report = await importCatalog(paths, { nomenclature: [SHARED_NOMENCLATURE], prices: [SHARED_PRICES], validFrom: DAY });
  }, 120_000);

  it('reads, stores and skips what it did when these counts were recorded', () => {
    expect(report.nomenclature).toEqual({ read: 7749, imported: 7737, skipped: 12 });
    expect(report.prices).toEqual({ read: 4862, imported: 2615, skipped: 2247, unmatched: 52 });
    expect(countBy(report.skippedRows)).toEqual({
      'nomenclature-au-31-Dcembre-2019.xlsx: no-registration': 12,
      'dz-pharma-meds.json: no-amount': 2191,
      'dz-pharma-meds.json: no-registration': 56,
    });
    expect(countBy(report.warnings)).toEqual({
      'nomenclature-au-31-Dcembre-2019.xlsx: duplicate-registration': 28,
      'nomenclature-au-31-Dcembre-2019.xlsx: unreadable-date': 17,
      'dz-pharma-meds.json: duplicate-registration': 60,
      'dz-pharma-meds.json: matched-on-stem': 452,
      'dz-pharma-meds.json: unreadable-amount': 1877,
    });
  });

  it('lands at least 99 % of the price rows that have a registration number and a readable amount', () => {
    const doc = JSON.parse(readFileSync(SHARED_PRICES, 'utf8')) as Record<string, Record<string, unknown>[]>;
    const items = Object.values(doc).flat();
    const hasAmount = (it: Record<string, unknown>) => parseAmount(it.PPA) !== null || parseAmount(it['Tarif de reference']) !== null;
    const hasNumber = (it: Record<string, unknown>) => typeof it['Num Enregistrement'] === 'string' && it['Num Enregistrement'].trim() !== '';
    const candidates = items.filter((it) => hasAmount(it) && hasNumber(it));
    // Rows with an amount but no registration number cannot be matched to anything (skipped, reported).
    expect(items.filter((it) => hasAmount(it) && !hasNumber(it))).toHaveLength(28);
    expect(candidates).toHaveLength(report.prices!.imported);
    const lookup = openCatalogLookup(paths);
    let landed = 0;
    let exact = 0;
    const list = readPriceJson(SHARED_PRICES);
    try {
      // Landed: the row's product is in the catalog with a price on the day.
      for (const it of candidates) {
        const p = lookup.product(it['Num Enregistrement'] as string, DAY);
        if (p && (p.ppa !== null || p.tariff !== null)) landed++;
      }
      // And the values of every row that won its duplicates are the catalog's.
      for (const { row } of list.rows) {
        const p = lookup.product(row.registration, DAY);
        if (p && (row.ppa === null || p.ppa === row.ppa) && (row.tariff === null || p.tariff === row.tariff)) exact++;
      }
    } finally {
      lookup.close();
    }
    process.stderr.write(
      `catalog-shared: ${landed} of ${candidates.length} price rows with a number and a readable amount landed (${((100 * landed) / candidates.length).toFixed(2)} %); ` +
        `${exact} of ${list.rows.length} rows kept after duplicates have exactly their amounts in the catalog.\n`,
    );
    expect(landed / candidates.length).toBeGreaterThanOrEqual(0.99);
    expect(exact / list.rows.length).toBeGreaterThanOrEqual(0.99);
  });

  it('items carry the contract shape, in file order', () => {
    for (const i of [...report.skippedRows, ...report.warnings]) {
      expect(Object.keys(i).sort()).toEqual(['code', 'field', 'file', 'message', 'row', 'sheet', 'value']);
      expect(Number.isInteger(i.row) && i.row >= 1).toBe(true);
    }
    const json = report.warnings.filter((w) => w.file === 'dz-pharma-meds.json').map((w) => w.row);
    expect(json).toEqual([...json].sort((a, b) => a - b));
  });

  it('finds real products and prices them on the day', () => {
    const hits = searchCatalog(paths, 'abilify', { day: DAY });
    expect(hits.map((h) => h.brand)).toContain('ABILIFY');
    expect(hits.find((h) => h.registration === '414/ 16 D 103 /08/16')).toMatchObject({ ppa: 655200, tariff: 545272, reimbursable: true });
  });
});
