/** `chifa catalog import` and `chifa catalog search` (json-contract.md). */
import type { Command } from 'commander';
import { importCatalog, searchCatalog, DEMO_VALID_FROM, type ImportReport } from '../../app/catalog.ts';
import type { SearchHit } from '../../adapters/catalog-db/store.ts';
import { ChifaError } from '../../core/errors.ts';
import { action } from '../action.ts';
import { paths } from '../context.ts';
import { printJson } from '../output.ts';

interface ImportOpts {
  nomenclature?: string[];
  prices?: string[];
  validFrom?: string;
  demo?: boolean;
}

interface SearchOpts {
  limit?: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

function dinars(centimes: number | null): string {
  if (centimes === null) return '—';
  return `${Math.trunc(centimes / 100)}.${String(centimes % 100).padStart(2, '0')}`;
}

function topReasons(items: { code: string }[], n = 5): string {
  const by = new Map<string, number>();
  for (const i of items) by.set(i.code, (by.get(i.code) ?? 0) + 1);
  return [...by]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, n)
    .map(([code, count]) => `${code} ${count}`)
    .join(', ');
}

export function importSummary(r: ImportReport): string {
  const lines: string[] = [];
  for (const f of r.files) {
    const extra = f.kind === 'prices' ? `, ${f.unmatched ?? 0} known by price only` : '';
    lines.push(`${f.file} (${f.kind}): ${f.read} rows read, ${f.imported} imported, ${f.skipped} skipped${extra}, ${f.warnings} warnings`);
    const skipped = r.skippedRows.filter((s) => s.file === f.file);
    const warnings = r.warnings.filter((w) => w.file === f.file);
    if (skipped.length > 0) lines.push(`  skipped: ${topReasons(skipped)}`);
    if (warnings.length > 0) lines.push(`  warnings: ${topReasons(warnings)}`);
  }
  const undated = r.files.reduce((a, f) => a + (f.undated ?? 0), 0);
  if (undated > 0) lines.push(`${undated} price rows carry no date of their own: they are valid from ${r.validFrom}.`);
  lines.push('Details: chifa catalog import … --json');
  return lines.join('\n');
}

function pad(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s.padEnd(n);
}

export function searchTable(hits: SearchHit[]): string {
  if (hits.length === 0) return 'No product matches.';
  const head = `${pad('REGISTRATION', 22)} ${pad('BRAND', 24)} ${pad('DOSAGE', 16)} ${pad('FORM', 16)} ${'PPA'.padStart(10)} ${'TARIFF'.padStart(10)} REIMB.`;
  const rows = hits.map((h) => {
    const reimb = h.reimbursable === null ? '?' : h.reimbursable ? 'yes' : 'no';
    const flag = h.nomenclature === 'withdrawn' ? ' (withdrawn)' : h.nomenclature === 'not-renewed' ? ' (not renewed)' : '';
    return `${pad(h.registration, 22)} ${pad(h.brand ?? '', 24)} ${pad(h.dosage ?? '', 16)} ${pad(h.form ?? '', 16)} ${dinars(h.ppa).padStart(10)} ${dinars(h.tariff).padStart(10)} ${reimb}${flag}`;
  });
  return [head, ...rows].join('\n');
}

export function registerCatalog(program: Command): void {
  const catalog = program.command('catalog').description('the catalog of products and prices');

  catalog
    .command('import')
    .description('import the ministry nomenclature (XLSX or CSV) and price lists (JSON or CSV), in one transaction')
    .option('--nomenclature <file>', 'a nomenclature: the XLSX or its semicolon CSV export (repeatable)', collect)
    .option('--prices <file>', 'a price list: the JSON list or the price CSV (repeatable)', collect)
    .option('--valid-from <date>', 'validity of prices that carry no date, YYYY-MM-DD (default: today)')
    .option('--demo', `also load the embedded demo catalog (its prices are valid from ${DEMO_VALID_FROM})`)
    .option('--json', 'print one JSON document')
    .action(
      action<ImportOpts>(async (g, o) => {
        const report = await importCatalog(paths(g), {
          nomenclature: o.nomenclature ?? [],
          prices: o.prices ?? [],
          validFrom: o.validFrom,
          demo: o.demo === true,
        });
        if (g.json) printJson(report);
        else process.stdout.write(`${importSummary(report)}\n`);
      }),
    );

  catalog
    .command('search')
    .description('find products by brand, INN, registration number or barcode (prefixes; case and accents ignored)')
    .argument('<text...>', 'what the user typed')
    .option('--limit <n>', 'at most this many products', '20')
    .option('--json', 'print one JSON document')
    .action(
      action<SearchOpts>(async (g, o, args) => {
        const limit = Number(o.limit ?? '20');
        if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new ChifaError('invalid-input', '--limit must be a whole number from 1 to 1000.');
        const hits = searchCatalog(paths(g), args.join(' '), { limit });
        if (g.json) printJson(hits);
        else process.stdout.write(`${searchTable(hits)}\n`);
      }),
    );
}
