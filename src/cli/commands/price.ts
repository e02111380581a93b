/** `chifa price`: a prescription priced for third-party payment (json-contract.md, pricing-rules.md). */
import type { Command } from 'commander';
import { openCatalogLookup } from '../../app/catalog.ts';
import { priceFiles } from '../../app/pricing.ts';
import { calendarDay } from '../../core/clock.ts';
import { parseBeneficiary, parseDay } from '../../core/pricing/index.ts';
import { action } from '../action.ts';
import { paths } from '../context.ts';
import { printJson } from '../output.ts';
import { priceTable } from '../price-table.ts';

interface PriceOpts {
  card: string;
  beneficiary: string;
  date?: string;
  lines: string;
}

export function registerPrice(program: Command): void {
  program
    .command('price')
    .description('price a prescription for third-party payment against the local catalog')
    .requiredOption('--card <file>', 'the card document (output of `chifa card read --json`)')
    .requiredOption('--beneficiary <n>', 'beneficiary index on the card, 0 for the holder')
    .requiredOption('--lines <file>', 'the prescription lines (JSON list of { product, quantity, chronic?, ppa? })')
    .option('--date <YYYY-MM-DD>', 'the dispensing day (default: today, Africa/Algiers)')
    .option('--json', 'print one JSON document')
    .action(
      action<PriceOpts>(async (g, o) => {
        const day = o.date === undefined ? calendarDay() : parseDay(o.date);
        const beneficiary = parseBeneficiary(o.beneficiary);
        const where = paths(g);
        const result = priceFiles({ cardFile: o.card, linesFile: o.lines, beneficiary, day, home: where.home, lang: g.lang }, () => openCatalogLookup(where));
        if (g.json) printJson(result);
        else process.stdout.write(`${priceTable(result, { day, beneficiary }, g.lang)}\n`);
      }),
    );
}
