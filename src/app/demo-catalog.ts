/**
 * The embedded demo catalog (data/demo/catalog): a small, deterministic excerpt of the shared
 * lists, rebuilt by `npm run build:demo-catalog`. Three files:
 *
 * - `nomenclature-demo.csv`: in-force rows of the 2019 nomenclature, written the way the
 *   ministry's CSV export is (BOM, title rows, a row of bare semicolons, `CONDITIONNEMENT`,
 *   DD/MM/YYYY dates, trailing empty columns), plus the demo fixture rows (OBS says so);
 * - `prices-demo.csv`: the price list's amounts for those products, as the price CSV, every row
 *   valid from DEMO_VALID_FROM, with demo barcodes (GS1 prefix 200, restricted circulation:
 *   no real product carries them) on the first products;
 * - `prices-demo-fixtures.csv`: prices the lists lack that the demo and the pricing examples need
 *   (LOPRIL 50 mg at PPA 899.00 DA, TR 313.00 DA, pricing-rules.md's worked example).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatDinars } from '../core/catalog/amount.ts';
import { normaliseRegistration, registrationStem } from '../core/catalog/registration.ts';
import type { NomenclatureRow, PriceRow } from '../core/catalog/types.ts';
import { readNomenclatureXlsx } from '../adapters/catalog-files/nomenclature.ts';
import { readPriceJson } from '../adapters/catalog-files/prices.ts';
import { DEMO_CATALOG_DIR, DEMO_VALID_FROM } from './catalog.ts';
import { REPO_ROOT } from './home.ts';

export const SHARED_DIR = process.env.CHIFA_SHARED_DIR ?? join(REPO_ROOT, '..', 'shared');
export const SHARED_NOMENCLATURE = join(SHARED_DIR, 'data', 'nomenclature', 'nomenclature-au-31-Dcembre-2019.xlsx');
export const SHARED_PRICES = join(SHARED_DIR, 'data', 'prices', 'dz-pharma-meds.json');

/** Brands a demo is likely to type; every in-force product of theirs with a price is taken. */
const FAMOUS = ['DOLIPRANE', 'AUGMENTIN', 'CLAMOXYL', 'GLUCOPHAGE', 'AMLOR', 'ASPEGIC', 'SPASFON', 'VOLTARENE', 'LOPRIL', 'EFFERALGAN'];

/** Quotas per kind of price row, taken in a fixed pseudo-random order (FNV-1a of the number). */
const QUOTAS: { name: string; size: number; test: (p: PriceRow) => boolean }[] = [
  { name: 'ppa, tariff, reimbursable', size: 150, test: (p) => p.ppa !== null && p.tariff !== null && p.reimbursable === true },
  { name: 'no tariff', size: 30, test: (p) => p.ppa !== null && p.tariff === null },
  { name: 'not reimbursable', size: 30, test: (p) => p.reimbursable === false },
  { name: 'reimbursable unknown', size: 20, test: (p) => p.reimbursable === null },
  { name: 'tariff only', size: 20, test: (p) => p.ppa === null && p.tariff !== null },
];
const BARCODES = 25;

interface Fixture {
  nomenclature: NomenclatureRow;
  price: { registration: string; ppa: number; tariff: number | null; reimbursable: boolean };
}

const FIXTURE_OBS = 'DEMO FIXTURE: absent de la nomenclature 2019 ; prix de pricing-rules.md (exemple chiffré)';

const FIXTURES: Fixture[] = [
  {
    nomenclature: {
      registration: '285/06E053/97/16', code: '06E053', inn: 'CAPTOPRIL', brand: 'LOPRIL', form: 'COMP. SEC', dosage: '50MG',
      packaging: 'B/30', list: 'Liste I', p1: null, p2: 'OFF', obs: FIXTURE_OBS,
      laboratory: 'UPC (UNION PHARMACEUTIQUE CONSTANTINOISE)', country: 'ALGERIE', initialDate: null, finalDate: null,
      type: null, status: null, stability: null, sheet: 'in-force', withdrawalDate: null, withdrawalReason: null, withdrawalNote: null,
    },
    price: { registration: '285/06E053/97/16', ppa: 89900, tariff: 31300, reimbursable: true },
  },
];

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** EAN-13 with its check digit. */
export function ean13(first12: string): string {
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(first12[i]) * (i % 2 === 0 ? 1 : 3);
  return `${first12}${(10 - (sum % 10)) % 10}`;
}

export function demoBarcode(n: number): string {
  return ean13(`200000${String(n).padStart(6, '0')}`);
}

function csvField(v: string | null): string {
  if (v === null) return '';
  return /[;"\r\n]/u.test(v) ? `"${v.replace(/"/gu, '""')}"` : v;
}

function ddmmyyyy(iso: string | null): string {
  if (iso === null) return '';
  const [y, m, d] = iso.split('-');
  return `${d}/${m}/${y}`;
}

const NOMENCLATURE_HEADER = [
  'N°', 'N°ENREGISTREMENT', 'CODE', 'DENOMINATION COMMUNE INTERNATIONALE', 'NOM DE MARQUE', 'FORME', 'DOSAGE',
  'CONDITIONNEMENT', 'LISTE', 'P1', 'P2', 'OBS', "LABORATOIRES DETENTEUR DE LA DECISION D'ENREGISTREMENT",
  "PAYS DU LABORATOIRE DETENTEUR DE LA DECISION D'ENREGISTREMENT", "DATE D'ENREGISTREMENT INITIAL ",
  "DATE D'ENREGISTREMENT  FINAL ", 'TYPE', 'STATUT', 'DUREE DE STABILITE',
];

function nomenclatureCsv(rows: NomenclatureRow[]): string {
  const width = NOMENCLATURE_HEADER.length + 2; // two trailing empty columns, as the export has
  const line = (cells: (string | null)[]) => [...cells, ...Array(width - cells.length).fill('')].map(csvField).join(';');
  const out = [
    line(['REPUBLIQUE ALGERIENNE DEMOCRATIQUE ET POPULAIRE']),
    line(['NOMENCLATURE NATIONALE DES PRODUITS PHARMACEUTIQUES A USAGE DE LA MEDECINE HUMAINE (EXTRAIT DE DEMONSTRATION; SOURCE: NOMENCLATURE AU 31 DECEMBRE 2019)']),
    line([]),
    line(NOMENCLATURE_HEADER),
    ...rows.map((r, i) =>
      line([
        String(i + 1), r.registration, r.code, r.inn, r.brand, r.form, r.dosage, r.packaging, r.list, r.p1, r.p2, r.obs,
        r.laboratory, r.country, ddmmyyyy(r.initialDate), ddmmyyyy(r.finalDate), r.type, r.status, r.stability,
      ]),
    ),
  ];
  return `\ufeff${out.join('\r\n')}\r\n`;
}

function priceCsv(rows: { registration: string; ppa: number | null; tariff: number | null; reimbursable: boolean | null; barcode: string | null }[]): string {
  const out = ['registration;ppa;tariff;reimbursable;valid_from;barcode'];
  for (const r of rows) {
    const reimb = r.reimbursable === null ? '' : r.reimbursable ? '1' : '0';
    out.push(
      [r.registration, r.ppa === null ? '' : formatDinars(r.ppa), r.tariff === null ? '' : formatDinars(r.tariff), reimb, DEMO_VALID_FROM, r.barcode ?? '']
        .map(csvField)
        .join(';'),
    );
  }
  return `${out.join('\n')}\n`;
}

/** The demo files' names and contents, derived from the shared lists. */
export async function buildDemoCatalog(nomenclaturePath = SHARED_NOMENCLATURE, pricesPath = SHARED_PRICES): Promise<Map<string, string>> {
  const nomenclature = await readNomenclatureXlsx(nomenclaturePath);
  const prices = readPriceJson(pricesPath);
  const inForce = new Map<string, NomenclatureRow>();
  const byStem = new Map<string, NomenclatureRow[]>();
  for (const { row } of nomenclature.rows) {
    if (row.sheet !== 'in-force') continue;
    inForce.set(normaliseRegistration(row.registration), row);
    const s = registrationStem(row.registration);
    byStem.set(s, [...(byStem.get(s) ?? []), row]);
  }
  const fixtureRegs = new Set(FIXTURES.map((f) => normaliseRegistration(f.price.registration)));
  // Price rows that match exactly one in-force product, exactly or on the stem.
  const pairs: { price: PriceRow; product: NomenclatureRow }[] = [];
  const taken = new Set<string>();
  for (const { row } of prices.rows) {
    const reg = normaliseRegistration(row.registration);
    if (fixtureRegs.has(reg)) continue;
    const stem = byStem.get(registrationStem(reg));
    const product = inForce.get(reg) ?? (stem?.length === 1 ? stem[0] : undefined);
    if (!product) continue;
    const key = normaliseRegistration(product.registration);
    if (taken.has(key)) continue; // one price row per demo product
    taken.add(key);
    pairs.push({ price: row, product });
  }
  const order = [...pairs].sort((a, b) => fnv1a(normaliseRegistration(a.price.registration)) - fnv1a(normaliseRegistration(b.price.registration)) || a.price.registration.localeCompare(b.price.registration));
  const chosen = new Set<(typeof pairs)[number]>();
  for (const p of pairs) if (p.product.brand && FAMOUS.includes(p.product.brand.toUpperCase())) chosen.add(p);
  for (const q of QUOTAS) {
    let n = 0;
    for (const p of order) {
      if (n >= q.size) break;
      if (!chosen.has(p) && q.test(p.price)) {
        chosen.add(p);
        n++;
      }
    }
  }
  const selected = pairs.filter((p) => chosen.has(p)); // price-list order
  const products = [...selected.map((p) => p.product), ...FIXTURES.map((f) => f.nomenclature)].sort((a, b) =>
    normaliseRegistration(a.registration) < normaliseRegistration(b.registration) ? -1 : 1,
  );
  let barcode = 0;
  const priceRows = selected.map((p) => ({
    registration: p.price.registration,
    ppa: p.price.ppa,
    tariff: p.price.tariff,
    reimbursable: p.price.reimbursable,
    barcode: barcode < BARCODES ? demoBarcode(++barcode) : null,
  }));
  const fixtureRows = FIXTURES.map((f) => ({ ...f.price, barcode: demoBarcode(++barcode) }));
  return new Map([
    ['nomenclature-demo.csv', nomenclatureCsv(products)],
    ['prices-demo.csv', priceCsv(priceRows)],
    ['prices-demo-fixtures.csv', priceCsv(fixtureRows)],
  ]);
}

export async function writeDemoCatalog(outDir = DEMO_CATALOG_DIR): Promise<string[]> {
  const files = await buildDemoCatalog();
  mkdirSync(outDir, { recursive: true });
  for (const [name, text] of files) writeFileSync(join(outDir, name), text);
  return [...files.keys()].map((n) => join(outDir, n));
}
