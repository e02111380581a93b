// The 26 long-term diseases are data: codes 1..26 with a name in each language, and the French
// names exactly as shared/data/chronic-conditions.csv gives them.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import chronic from '../../data/rules/chronic-conditions.json' with { type: 'json' };

const shared = join(import.meta.dirname, '../../../shared/data/chronic-conditions.csv');

describe('chronic conditions data', () => {
  it('lists codes 1 to 26, each named in French, Arabic and English', () => {
    for (const list of chronic.lists) {
      expect(list.validFrom).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(list.conditions.map((c) => c.code)).toEqual(Array.from({ length: 26 }, (_, i) => i + 1));
      for (const c of list.conditions) {
        for (const lang of ['fr', 'ar', 'en'] as const) expect(c[lang].trim().length, `${c.code} ${lang}`).toBeGreaterThan(3);
        expect(c.ar).toMatch(/[\u0600-\u06ff]/);
      }
    }
  });

  it.skipIf(!existsSync(shared) && !process.env.CI)('keeps the French names of the shared list (skipped: ../shared is absent)', () => {
    const rows = readFileSync(shared, 'utf8').trim().split(/\r?\n/).slice(1).map((l) => l.split(';'));
    const latest = chronic.lists[chronic.lists.length - 1]!;
    expect(latest.conditions.map((c) => [String(c.code), c.fr])).toEqual(rows.map(([code, name]) => [code, name]));
  });
});
