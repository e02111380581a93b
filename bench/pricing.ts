/**
 * Pricing throughput (issue #4, target > 50,000 prescriptions per second): a 5-line
 * prescription (catalog price, vignette price, chronic line, not reimbursable, PPA below
 * the tariff) priced again and again, against an in-memory lookup and against the SQLite
 * catalog store of a temporary data directory. `npm run bench` calls `benchPricing()`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importCatalog, openCatalogLookup } from '../src/app/catalog.ts';
import { loadPricingSettings } from '../src/app/pricing.ts';
import type { CardData } from '../src/core/card/model.ts';
import type { CatalogLookup, ProductAtDate } from '../src/core/catalog/lookup.ts';
import { pricePrescription, settingsOn, type PrescriptionLine } from '../src/core/pricing/index.ts';

const DAY = '2026-03-15';

const PRODUCTS: [string, ProductAtDate, string][] = [
  // ref, product, price CSV row
  ['352/01 A 003/06/22', { registration: '352/01 A 003/06/22', name: 'LOPRIL 50 mg', ppa: 89900, tariff: 31300, reimbursable: true }, '352/01 A 003/06/22;899,00;313,00;1;2024-01-01'],
  ['100/02 B 010/10/21', { registration: '100/02 B 010/10/21', name: 'AMOXIL 1 g', ppa: 45050, tariff: 41000, reimbursable: true }, '100/02 B 010/10/21;450,50;410,00;1;2024-01-01'],
  ['200/03 C 020/12/20', { registration: '200/03 C 020/12/20', name: 'INSULINE', ppa: 125000, tariff: null, reimbursable: true }, '200/03 C 020/12/20;1 250,00;;1;2024-01-01'],
  ['300/04 D 030/08/19', { registration: '300/04 D 030/08/19', name: 'CREME', ppa: 32000, tariff: null, reimbursable: false }, '300/04 D 030/08/19;320,00;;0;2024-01-01'],
  ['400/05 E 040/05/18', { registration: '400/05 E 040/05/18', name: 'DOLIPRANE', ppa: 9000, tariff: 12000, reimbursable: true }, '400/05 E 040/05/18;90,00;120,00;1;2024-01-01'],
];

const LINES: PrescriptionLine[] = [
  { product: '352/01 A 003/06/22', quantity: 2, chronic: null, ppa: null },
  { product: '100/02 B 010/10/21', quantity: 1, chronic: null, ppa: 46000 },
  { product: '200/03 C 020/12/20', quantity: 3, chronic: 12, ppa: null },
  { product: '300/04 D 030/08/19', quantity: 1, chronic: null, ppa: null },
  { product: '400/05 E 040/05/18', quantity: 2, chronic: null, ppa: null },
];

const CARD: CardData = {
  profileVersion: 1,
  card: { serial: '00A1B2C3D4E5F601', fund: 'CNAS', agency: '16-001', issued: '2024-03-01', expires: '2029-02-28', type: 'family' },
  holder: {
    nss: '501234567890', surname: 'BENALI', givenNames: 'AHMED', surnameAr: null, givenNamesAr: null, birthDate: '1950-00-00',
    sex: 'M', wilaya: '16', status: 'pensioner', rate: null, chronicConditions: [{ code: 12, validUntil: '2027-06-30' }],
  },
  rights: { validFrom: '2026-01-01', validTo: '2026-12-31', status: 'active', defaultRate: 8000, thirdPartyPayment: true },
  beneficiaries: [],
  emergency: null,
  history: null,
  signature: { keyId: 'CNAS-TEST-2026', status: 'valid' },
};

export interface PricingThroughput {
  prescriptions: number;
  linesPerPrescription: number;
  ms: number;
  perSecond: number;
}

/** Prescriptions priced per second against `catalog`, after a warm-up, over about `ms` milliseconds. */
export function measurePricing(catalog: CatalogLookup, ms = 1000): PricingThroughput {
  const settings = settingsOn(loadPricingSettings(), DAY);
  const once = () => pricePrescription({ card: CARD, beneficiary: 0, day: DAY, lines: LINES, catalog, settings, lang: 'fr' });
  const check = once();
  if (!check.thirdPartyPayment || check.lines.some((l) => l.ppa === null)) throw new Error(`bench prescription not priced: ${JSON.stringify(check.reasons)}`);
  for (let i = 0; i < 2000; i++) once();
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 500; i++) once();
    n += 500;
    now = performance.now();
  }
  const elapsed = now - start;
  return { prescriptions: n, linesPerPrescription: LINES.length, ms: Math.round(elapsed), perSecond: Math.round((n * 1000) / elapsed) };
}

export function memoryLookup(): CatalogLookup {
  const byRef = new Map(PRODUCTS.map(([ref, p]) => [ref, p]));
  return { product: (ref) => byRef.get(ref) ?? null };
}

/** The same prescription against the SQLite catalog store, imported into a temporary data directory. */
export async function sqliteThroughput(ms = 1000): Promise<PricingThroughput> {
  const dir = mkdtempSync(join(tmpdir(), 'chifa-bench-pricing-'));
  try {
    const csv = join(dir, 'prices.csv');
    writeFileSync(csv, `registration;ppa;tariff;reimbursable;valid_from\n${PRODUCTS.map((p) => p[2]).join('\n')}\n`);
    const paths = { home: join(dir, 'home'), trust: join(dir, 'trust') };
    await importCatalog(paths, { nomenclature: [], prices: [csv], validFrom: '2024-01-01' });
    const lookup = openCatalogLookup(paths);
    try {
      return measurePricing(lookup, ms);
    } finally {
      lookup.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchPricing(ms = 1000): Promise<Record<string, unknown>> {
  const target = 50_000;
  const memory = measurePricing(memoryLookup(), ms);
  let sqlite: PricingThroughput | { skipped: string };
  try {
    sqlite = await sqliteThroughput(ms);
  } catch (e) {
    sqlite = { skipped: `SQLite catalog not available: ${(e as Error).message}` };
  }
  return { target, memory, sqlite };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))) {
  console.log(JSON.stringify(await benchPricing(), null, 2));
}
