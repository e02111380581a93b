/**
 * Catalog benches (issue #4): the time to import the whole shared lists into an empty catalog,
 * and search latency (p50/p99) over 1,000 realistic queries — prefixes of 1 to 6 characters of
 * real brands, INNs and registration numbers, some of two words — on the real catalog and on one
 * grown ten times with synthetic products. Target: p99 < 2 ms at 10×.
 *
 * `benchCatalog()` returns the figures (or why it was skipped); `npm run bench` wires it.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CatalogStore } from '../src/adapters/catalog-db/store.ts';
import { importCatalog } from '../src/app/catalog.ts';
import { SHARED_NOMENCLATURE, SHARED_PRICES } from '../src/app/demo-catalog.ts';
import type { Paths } from '../src/app/home.ts';
import { calendarDay } from '../src/core/clock.ts';

export interface LatencyFigures {
  products: number;
  queries: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  meanHits: number;
}

export interface CatalogBench {
  importMs: number;
  importCounts: { nomenclature: unknown; prices: unknown };
  search: LatencyFigures;
  search10x: LatencyFigures;
  targetP99Ms: number;
  meetsTarget: boolean;
}

/** A small deterministic PRNG (mulberry32): the same queries on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Queries as people type them at the counter, drawn from the catalog's real products. */
export function realisticQueries(store: CatalogStore, count = 1000, seed = 4): string[] {
  const rows = store.connection
    .prepare('SELECT brand, inn, published, registration, dosage FROM products WHERE brand IS NOT NULL ORDER BY id')
    .all() as { brand: string; inn: string | null; published: string; registration: string; dosage: string | null }[];
  const rnd = prng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const prefix = (s: string) => s.slice(0, 1 + Math.floor(rnd() * 6)).trim() || s.slice(0, 1);
  const out: string[] = [];
  while (out.length < count) {
    const p = pick(rows);
    const r = rnd();
    if (r < 0.45) out.push(prefix(p.brand).toLowerCase());
    else if (r < 0.65 && p.inn) out.push(prefix(p.inn).toLowerCase());
    else if (r < 0.8) out.push(prefix(rnd() < 0.5 ? p.registration : p.published));
    else {
      const word = (p.dosage ?? p.inn ?? 'x').split(/\s+/u)[0]!;
      out.push(`${p.brand.slice(0, 2 + Math.floor(rnd() * 4)).toLowerCase()} ${word.slice(0, 1 + Math.floor(rnd() * 3)).toLowerCase()}`);
    }
  }
  return out;
}

export function measureSearch(store: CatalogStore, queries: string[], limit = 20): LatencyFigures {
  const day = calendarDay();
  for (const q of queries.slice(0, 100)) store.search(q, day, limit); // warm-up
  const times: number[] = [];
  let hits = 0;
  for (const q of queries) {
    const t0 = process.hrtime.bigint();
    hits += store.search(q, day, limit).length;
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  const at = (f: number) => times[Math.min(times.length - 1, Math.floor(f * times.length))]!;
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    products: store.counts().products,
    queries: queries.length,
    p50Ms: round(at(0.5)),
    p99Ms: round(at(0.99)),
    maxMs: round(times[times.length - 1]!),
    meanHits: round(hits / queries.length),
  };
}

/**
 * Grows the catalog `factor` times with synthetic products: each real product copied with a
 * brand variant (its brand, a space and a made-up suffix), another laboratory number in its
 * registration, and its prices; the search index is then rebuilt.
 */
export function growCatalog(store: CatalogStore, factor: number): void {
  const db = store.connection;
  const suffixes = ['GEN', 'PHARM', 'LAB', 'MED', 'PLUS', 'FORTE', 'DZ', 'SANTE', 'BIO', 'NOVA', 'CARE', 'RX'];
  db.transaction(() => {
    for (let k = 1; k < factor; k++) {
      const suffix = `${suffixes[k % suffixes.length]}${k}`;
      db.prepare(`
        INSERT INTO products (registration, stem, published, in_nomenclature, sheet, withdrawn, not_renewed, code, inn, brand,
          form, dosage, packaging, list, laboratory, country, brand_key, inn_key, search_rank, words_key, source_file, updated_at)
        SELECT 'S' || @k || '-' || registration, 'S' || @k || '-' || stem, 'S' || @k || '-' || published, in_nomenclature, sheet,
          withdrawn, not_renewed, code, inn, brand || ' ' || @suffix, form, dosage, packaging, list, laboratory, country,
          brand_key || ' ' || @suffix, inn_key, search_rank, words_key || ' ' || @suffix, 'synthetic', updated_at
        FROM products WHERE registration NOT LIKE 'S%'`).run({ k, suffix });
      db.prepare(`
        INSERT INTO prices (registration, valid_from, ppa, tariff, reimbursable, source_file, imported_at)
        SELECT 'S' || @k || '-' || registration, valid_from, ppa, tariff, reimbursable, 'synthetic', imported_at
        FROM prices WHERE registration NOT LIKE 'S%'`).run({ k });
    }
  })();
  store.apply([], [], { validFrom: calendarDay() }); // rebuilds the search index in its transaction
}

export async function benchCatalog(opts: { queries?: number } = {}): Promise<CatalogBench | { skipped: string }> {
  if (!existsSync(SHARED_NOMENCLATURE) || !existsSync(SHARED_PRICES)) {
    return { skipped: `the shared lists are absent (${SHARED_NOMENCLATURE}, ${SHARED_PRICES})` };
  }
  const dir = mkdtempSync(join(tmpdir(), 'chifa-bench-catalog-'));
  const paths: Paths = { home: join(dir, 'home'), trust: join(dir, 'trust') };
  try {
    const t0 = process.hrtime.bigint();
    const report = await importCatalog(paths, { nomenclature: [SHARED_NOMENCLATURE], prices: [SHARED_PRICES] });
    const importMs = Math.round(Number(process.hrtime.bigint() - t0) / 1e6);
    const store = CatalogStore.open(paths.home, { create: false })!;
    try {
      const queries = realisticQueries(store, opts.queries ?? 1000);
      const search = measureSearch(store, queries);
      growCatalog(store, 10);
      const search10x = measureSearch(store, queries);
      return {
        importMs,
        importCounts: { nomenclature: report.nomenclature, prices: report.prices },
        search,
        search10x,
        targetP99Ms: 2,
        meetsTarget: search10x.p99Ms < 2,
      };
    } finally {
      store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  console.log(JSON.stringify(await benchCatalog(), null, 2));
}
