/**
 * Amounts as the price lists type them (json-contract.md, `catalog import`), read as dinars and
 * returned in integer centimes:
 *
 *   amount   := spaces? number spaces? ("DA" in any case)? spaces?
 *   number   := digits (sep digit digit digit)* (("," | ".") digit digit?)?
 *   sep      := " " | "," | "."
 *
 * A no-break space (and the narrow and figure spaces) counts as a space. The grammar decides the
 * ambiguous cases literally: the decimal part has one or two digits, so a separator followed by
 * exactly three digits is a thousands separator even when it is the last one (`1,234` is 1 234
 * dinars = 123400 centimes, `1,23` is 1.23 dinars = 123 centimes, `1.234,5` is 1 234.50 dinars).
 * Separators may be mixed (`5,842.27`). Zero (`0`, `0,00 DA`), `--`, `N/A`, empty and anything
 * else are no value: null, never zero.
 */

const SPACES = /[\u00a0\u2007\u202f\t]/gu;
const AMOUNT = /^ *(\d+)((?:[ .,]\d{3})*)(?:[.,](\d{1,2}))? *(?:DA)? *$/iu;

export function parseAmount(value: unknown): number | null {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value <= 0) return null;
    const c = Math.round(value * 100);
    return Number.isSafeInteger(c) && c > 0 ? c : null;
  }
  if (typeof value !== 'string') return null;
  const m = AMOUNT.exec(value.replace(SPACES, ' '));
  if (!m) return null;
  const whole = m[1]! + m[2]!.replace(/[ .,]/gu, '');
  const fraction = (m[3] ?? '').padEnd(2, '0');
  const centimes = Number(whole) * 100 + Number(fraction);
  if (!Number.isSafeInteger(centimes) || centimes <= 0) return null;
  return centimes;
}

/** Centimes as `1234.56`, the form the demo price list is written in. */
export function formatDinars(centimes: number): string {
  const whole = Math.trunc(centimes / 100);
  const cents = String(centimes % 100).padStart(2, '0');
  return `${whole}.${cents}`;
}
