/**
 * Card dates (`YYYYMMDD`, 8 ASCII digits) and their JSON form (`YYYY-MM-DD`).
 * A birth date may leave month and day `00` when unknown; such a date is carried as
 * given and never completed. Year `0000` is no calendar year, not even in a birth date:
 * the profile allows `00` only for month and day.
 */
import type { IsoDate } from './model.ts';

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** `partial`: month and day may be 0 (unknown), and an unknown month forces an unknown day. */
export function isCardCalendarDate(year: number, month: number, day: number, partial = false): boolean {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return false;
  if (year < 1 || year > 9999) return false;
  if (partial && month === 0) return day === 0;
  if (month < 1 || month > 12) return false;
  if (partial && day === 0) return true;
  return day >= 1 && day <= daysInMonth(year, month);
}

function digitsValue(bytes: Uint8Array, start: number, end: number): number | null {
  let n = 0;
  for (let i = start; i < end; i++) {
    const b = bytes[i]!;
    if (b < 0x30 || b > 0x39) return null;
    n = n * 10 + (b - 0x30);
  }
  return n;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** `YYYYMMDD` bytes to `YYYY-MM-DD`; null when they are not a date the profile allows. */
export function cardDateToIso(bytes: Uint8Array, partial = false): IsoDate | null {
  if (bytes.length !== 8) return null;
  const y = digitsValue(bytes, 0, 4);
  const m = digitsValue(bytes, 4, 6);
  const d = digitsValue(bytes, 6, 8);
  if (y === null || m === null || d === null || !isCardCalendarDate(y, m, d, partial)) return null;
  return `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isIsoDate(text: unknown, partial = false): text is IsoDate {
  if (typeof text !== 'string') return false;
  const m = ISO_DATE.exec(text);
  return m !== null && isCardCalendarDate(Number(m[1]), Number(m[2]), Number(m[3]), partial);
}

/** `YYYY-MM-DD` to the 8 ASCII digits of the card; null when it is not an allowed date. */
export function isoToCardDate(text: IsoDate, partial = false): Uint8Array | null {
  if (!isIsoDate(text, partial)) return null;
  const digits = text.replace(/-/g, '');
  const out = new Uint8Array(8);
  for (let i = 0; i < 8; i++) out[i] = digits.charCodeAt(i);
  return out;
}
