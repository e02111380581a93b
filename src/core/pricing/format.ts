/** Amounts, rates and days as people read them in the three languages of the terminal. */
import type { IsoDate } from '../card/model.ts';

export type Lang = 'fr' | 'ar' | 'en';

function group(digits: string, sep: string): string {
  if (digits.length <= 3) return digits;
  let head = digits.length % 3 || 3;
  let out = digits.slice(0, head);
  for (; head < digits.length; head += 3) out += sep + digits.slice(head, head + 3);
  return out;
}

/** Integer centimes: `1 234,56 DA` (fr), `1 234,56 دج` (ar), `1,234.56 DA` (en). */
export function formatAmount(centimes: number, lang: Lang): string {
  const negative = centimes < 0;
  const abs = String(Math.abs(centimes)).padStart(3, '0');
  const units = abs.slice(0, -2);
  const cents = abs.slice(-2);
  const sign = negative ? '-' : '';
  if (lang === 'en') return `${sign}${group(units, ',')}.${cents} DA`;
  return `${sign}${group(units, ' ')},${cents} ${lang === 'ar' ? 'دج' : 'DA'}`;
}

/** Basis points: `80 %`, `12,5 %` (fr, ar), `80%`, `12.5%` (en). */
export function formatRate(bp: number, lang: Lang): string {
  const whole = Math.trunc(bp / 100);
  const frac = String(bp % 100).padStart(2, '0').replace(/0+$/, '');
  const sep = lang === 'en' ? '.' : ',';
  const n = frac === '' ? String(whole) : `${whole}${sep}${frac}`;
  return lang === 'en' ? `${n}%` : `${n} %`;
}

/** `YYYY-MM-DD` as `DD/MM/YYYY` (as on Algerian documents); ISO in English. */
export function formatDay(day: IsoDate, lang: Lang): string {
  if (lang === 'en') return day;
  const [y, m, d] = day.split('-');
  return `${d}/${m}/${y}`;
}
