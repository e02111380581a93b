/** `chifa catalog import` and `chifa catalog search` as scripts see them (json-contract.md). */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';

const FIX = join(import.meta.dirname, '..', 'fixtures', 'catalog');
const freshHome = () => join(mkdtempSync(join(tmpdir(), 'chifa-cli-catalog-')), 'home');

describe.concurrent('chifa catalog', () => {
  it('search on a new data directory answers no-catalog (exit 1), naming both ways out, and creates nothing', async () => {
    const home = freshHome();
    const r = await runCli(['--home', home, '--lang', 'en', 'catalog', 'search', 'doliprane', '--json']);
    expect(r.code).toBe(1);
    expect(r.json).toEqual({ error: { code: 'no-catalog', message: expect.stringContaining('chifa catalog import FILES') } });
    expect((r.json as { error: { message: string } }).error.message).toContain('chifa catalog import --demo');
    expect(existsSync(home)).toBe(false);
    const fr = await runCli(['--home', home, 'catalog', 'search', 'doliprane']);
    expect(fr.code).toBe(1);
    expect(fr.stdout).toBe('');
    expect(fr.stderr).toContain('chifa catalog import --demo');
  });

  it('import --demo --json prints the contract document; search then finds the demo products', async () => {
    const home = freshHome();
    const r = await runCli(['--home', home, 'catalog', 'import', '--demo', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = r.json as Record<string, unknown>;
    expect(doc.nomenclature).toEqual({ read: expect.any(Number), imported: expect.any(Number), skipped: 0 });
    expect(doc.prices).toEqual({ read: expect.any(Number), imported: expect.any(Number), skipped: 0, unmatched: 0 });
    expect(Array.isArray(doc.skippedRows) && Array.isArray(doc.warnings)).toBe(true);
    const s = await runCli(['--home', home, 'catalog', 'search', 'lopril 50', '--json']);
    expect(s.code, s.stderr).toBe(0);
    expect(s.json).toEqual([
      { registration: '285/06E053/97/16', brand: 'LOPRIL', inn: 'CAPTOPRIL', form: 'COMP. SEC', dosage: '50MG', packaging: 'B/30', ppa: 89900, tariff: 31300, reimbursable: true, nomenclature: 'in-force' },
    ]);
    const table = await runCli(['--home', home, 'catalog', 'search', 'dolip', '--limit', '2']);
    expect(table.code).toBe(0);
    expect(table.stdout.trim().split('\n')).toHaveLength(3);
    expect(table.stdout).toContain('DOLIPRANE');
  });

  it('import prints a readable summary without --json, with nomenclature null when not given', async () => {
    const home = freshHome();
    const r = await runCli(['--home', home, 'catalog', 'import', '--prices', join(FIX, 'prices.csv'), '--valid-from', '2025-01-01']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('prices.csv (prices): 7 rows read, 5 imported, 2 skipped');
    expect(r.stdout).toMatch(/skipped: no-amount 1, no-registration 1/);
    const j = await runCli(['--home', home, 'catalog', 'import', '--prices', join(FIX, 'prices.csv'), '--valid-from', '2025-01-01', '--json']);
    expect((j.json as { nomenclature: unknown }).nomenclature).toBeNull();
  });

  it('bad input is exit 2 with invalid-input: a bad file (named), a bad date, a bad limit', async () => {
    const home = freshHome();
    const bad = await runCli(['--home', home, 'catalog', 'import', '--nomenclature', join(FIX, 'not-a-workbook.xlsx'), '--json']);
    expect(bad.code).toBe(2);
    expect(bad.json).toEqual({ error: { code: 'invalid-input', message: expect.stringContaining('not-a-workbook.xlsx') } });
    expect(existsSync(join(home, 'catalog.sqlite'))).toBe(false);
    const date = await runCli(['--home', home, 'catalog', 'import', '--demo', '--valid-from', '01/01/2025', '--json']);
    expect(date.code).toBe(2);
    expect((date.json as { error: { code: string } }).error.code).toBe('invalid-input');
    const nothing = await runCli(['--home', home, 'catalog', 'import', '--json']);
    expect(nothing.code).toBe(2);
    const limit = await runCli(['--home', home, 'catalog', 'search', 'x', '--limit', '0', '--json']);
    expect(limit.code).toBe(2);
    expect((limit.json as { error: { code: string } }).error.code).toBe('invalid-input');
  });
});
