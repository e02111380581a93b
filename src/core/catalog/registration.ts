/**
 * Registration numbers (décisions d'enregistrement) as the lists write them, e.g.
 * `352/01 A 003/06/22` or `414/ 16 D 103 /08`. They are compared normalised: upper case, every
 * space removed (no-break and other Unicode spaces included). Their form is `LAB/CODE/YY` or
 * `LAB/CODE/YY/RR` (RR: year of the last renewal); the stem is the first three segments.
 */

/** Upper case with every kind of space removed: `414/ 16 D 103 /08` → `414/16D103/08`. */
export function normaliseRegistration(text: string): string {
  return text.toUpperCase().replace(/[\s\u00a0\u2007\u202f\u200b\ufeff]+/gu, '');
}

/** The first three `/` segments of a registration number, normalised: `352/01A003/06/22` → `352/01A003/06`. */
export function registrationStem(text: string): string {
  return normaliseRegistration(text).split('/').slice(0, 3).join('/');
}

export interface RegistrationParts {
  lab: string;
  code: string;
  year: string;
  renewal: string | null;
}

/** The parts of a well-formed number, or null when it does not have the `LAB/CODE/YY[/RR]` form. */
export function parseRegistration(text: string): RegistrationParts | null {
  const m = /^(\d+)\/([0-9A-Z]+)\/(\d{2})(?:\/(\d{2}))?$/.exec(normaliseRegistration(text));
  if (!m) return null;
  return { lab: m[1]!, code: m[2]!, year: m[3]!, renewal: m[4] ?? null };
}
