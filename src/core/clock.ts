/** Calendar days in the terminal's time zone: rights and validity are decided per day, not per instant. */
import type { IsoDate } from './card/model.ts';

export const DEFAULT_TIME_ZONE = 'Africa/Algiers';

export function calendarDay(at: Date = new Date(), timeZone = DEFAULT_TIME_ZONE): IsoDate {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}
