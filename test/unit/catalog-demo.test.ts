/**
 * The committed demo catalog (data/demo/catalog) is what `npm run build:demo-catalog` derives
 * from ../shared, byte for byte. Without ../shared the check says it is skipped; in CI
 * (process.env.CI set) ../shared is required.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_CATALOG_DIR, DEMO_FIXTURE_PRICES, DEMO_NOMENCLATURE, DEMO_PRICES } from '../../src/app/catalog.ts';
import { buildDemoCatalog, SHARED_NOMENCLATURE, SHARED_PRICES } from '../../src/app/demo-catalog.ts';

const shared = existsSync(SHARED_NOMENCLATURE) && existsSync(SHARED_PRICES);
if (!shared) {
  if (process.env.CI) throw new Error(`CI needs the shared lists (${SHARED_NOMENCLATURE}, ${SHARED_PRICES}) to check the demo catalog.`);
  process.stderr.write(`catalog-demo: ../shared is absent: the rebuild of the demo catalog is not checked (skipped).\n`);
}

describe('demo catalog', () => {
  it('is small, and holds the products and fixtures the demo and pricing use', () => {
    const total = [DEMO_NOMENCLATURE, DEMO_PRICES, DEMO_FIXTURE_PRICES].reduce((a, f) => a + statSync(f).size, 0);
    expect(total).toBeLessThan(300 * 1024);
    expect(readFileSync(DEMO_FIXTURE_PRICES, 'utf8')).toContain('285/06E053/97/16;899.00;313.00;1;2024-01-01;');
    const nom = readFileSync(DEMO_NOMENCLATURE, 'utf8');
    expect(nom.startsWith('\ufeff')).toBe(true);
    expect(nom).toMatch(/285\/06E053\/97\/16;06E053;CAPTOPRIL;LOPRIL;COMP\. SEC;50MG;B\/30;.*DEMO FIXTURE/);
    const prices = readFileSync(DEMO_PRICES, 'utf8').trim().split('\n').slice(1).map((l) => l.split(';'));
    expect(prices.length).toBeGreaterThan(200);
    expect(prices.some((p) => p[2] === '')).toBe(true); // without tariff
    expect(prices.some((p) => p[3] === '0')).toBe(true); // not reimbursable
    expect(prices.some((p) => p[3] === '')).toBe(true); // reimbursable unknown
    expect(prices.filter((p) => p[5] !== '').every((p) => p[5]!.startsWith('200'))).toBe(true); // demo barcodes only
  });

  it.skipIf(!shared)('is rebuilt from ../shared byte for byte', async () => {
    const built = await buildDemoCatalog();
    expect([...built.keys()].sort()).toEqual(['nomenclature-demo.csv', 'prices-demo-fixtures.csv', 'prices-demo.csv']);
    for (const [name, text] of built) {
      const committed = readFileSync(join(DEMO_CATALOG_DIR, name));
      expect(Buffer.from(text, 'utf8').equals(committed), `${name} differs from a rebuild: run npm run build:demo-catalog`).toBe(true);
    }
  });
});
