import { describe, expect, it } from 'vitest';
import { normaliseRegistration, parseRegistration, registrationStem } from '../../src/core/catalog/registration.ts';

describe('registration numbers', () => {
  it('are compared in upper case with every space removed, no-break spaces included', () => {
    expect(normaliseRegistration('414/ 16 D 103 /08')).toBe('414/16D103/08');
    expect(normaliseRegistration('414/ 16 D 103 /08')).toBe(normaliseRegistration('414/16D103/08'));
    expect(normaliseRegistration(' 352/01\u00a0a 003/06/22 ')).toBe('352/01A003/06/22');
    expect(normaliseRegistration('352/01\u202fA\t003/06\u2007/22')).toBe('352/01A003/06/22');
  });

  it('have a stem: the first three segments', () => {
    expect(registrationStem('352/01 A 003/06/22')).toBe('352/01A003/06');
    expect(registrationStem('352/01 A 003/06')).toBe('352/01A003/06');
    expect(registrationStem('511/16D104/08/16')).toBe('511/16D104/08');
  });

  it('parse as LAB/CODE/YY[/RR]', () => {
    expect(parseRegistration('352/01 A 003/06/22')).toEqual({ lab: '352', code: '01A003', year: '06', renewal: '22' });
    expect(parseRegistration('414/ 16 D 103 /08')).toEqual({ lab: '414', code: '16D103', year: '08', renewal: null });
    expect(parseRegistration('414/16D103')).toBeNull();
    expect(parseRegistration('352/01A003/06:22')).toBeNull();
    expect(parseRegistration('')).toBeNull();
  });
});
