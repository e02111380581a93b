/** The readable result of `chifa price` without `--json`: one row per line, its notes, totals, reasons. */
import type { IsoDate } from '../core/card/model.ts';
import { formatAmount, formatDay, formatRate, type PricingResult } from '../core/pricing/index.ts';
import type { Lang } from '../i18n/index.ts';
import { pricingLabels } from '../i18n/pricing.ts';

const width = (s: string) => [...s].length;
const padEnd = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - width(s)));
const padStart = (s: string, n: number) => ' '.repeat(Math.max(0, n - width(s))) + s;

export function priceTable(result: PricingResult, meta: { day: IsoDate; beneficiary: number }, lang: Lang): string {
  const l = pricingLabels[lang];
  const amount = (v: number | null) => (v === null ? '—' : formatAmount(v, lang));
  const header = [l.product, l.quantity, l.ppa, l.base, l.rate, l.fund, l.patient];
  const rows = result.lines.map((line) => [
    line.name ?? `${line.product} (${l.unknown})`,
    String(line.quantity),
    amount(line.ppa),
    amount(line.base),
    line.rate === null ? '—' : formatRate(line.rate, lang),
    amount(line.fund),
    amount(line.patient),
  ]);
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i]!))));
  const format = (cells: string[]) => cells.map((c, i) => (i === 0 ? padEnd(c, widths[i]!) : padStart(c, widths[i]!))).join('  ');
  const out: string[] = [];
  const who = meta.beneficiary === 0 ? l.holder : `${l.beneficiary} ${meta.beneficiary}`;
  out.push(`${l.title} ${formatDay(meta.day, lang)} — ${who}`);
  out.push(format(header));
  out.push(widths.map((w) => '-'.repeat(w)).join('  '));
  result.lines.forEach((line, i) => {
    out.push(format(rows[i]!));
    for (const n of line.notes) out.push(`    · ${n.message}`);
  });
  const t = result.totals;
  out.push(`${l.totals}: ${l.price} ${formatAmount(t.price, lang)}, ${l.fund.toLowerCase()} ${formatAmount(t.fund, lang)}, ${l.patient.toLowerCase()} ${formatAmount(t.patient, lang)}`);
  out.push(result.thirdPartyPayment ? l.tpYes : l.tpNo);
  for (const r of result.reasons) out.push(`  - ${r.message}`);
  return out.join('\n');
}
