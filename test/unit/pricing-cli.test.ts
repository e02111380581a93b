/**
 * `chifa price` through the real command line (`node bin/chifa.js`), against a catalog made
 * with `chifa catalog import --prices` in a temporary data directory.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PricedLine, PricingResult } from '../../src/core/pricing/index.ts';
import { card } from './pricing-fixtures.ts';

const BIN = resolve(import.meta.dirname, '../../bin/chifa.js');
const dir = mkdtempSync(join(tmpdir(), 'chifa-price-'));
const home = join(dir, 'home');
const file = (name: string, content: unknown) => {
  const p = join(dir, name);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
};

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout as the price document or the error document. */
  json: PricingResult & { error: { code: string; message: string } };
}

function chifa(args: string[]): Promise<Run> {
  const env: Record<string, string | undefined> = { ...process.env, CHIFA_PCSC: 'mock' };
  for (const k of ['CHIFA_HOME', 'CHIFA_TRUST_DIR', 'CHIFA_DEBUG', 'NODE_OPTIONS']) delete env[k];
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { env, timeout: 60_000 }, (err, stdout, stderr) => {
      let json: Run['json'];
      try {
        json = JSON.parse(stdout);
      } catch {
        json = undefined as unknown as Run['json'];
      }
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      done({ code, stdout, stderr, json });
    });
  });
}

const holderCard = card({ holderChronic: [{ code: 12, validUntil: '2027-06-30' }] });
const cardFile = file('card.json', holderCard);
const linesFile = file('lines.json', [
  { product: '352/01 A 003/06/22', quantity: 1 },
  { product: '352/01A003/06/22', quantity: 1, chronic: 12 },
  { product: 'NR/01/22', quantity: 2 },
  { product: 'NP/01/22', quantity: 1, ppa: 20000 },
]);
const price = (extra: string[], lines = linesFile, h = home) => chifa(['price', '--card', cardFile, '--beneficiary', '0', '--date', '2026-03-15', '--lines', lines, '--home', h, ...extra]);

beforeAll(async () => {
  const prices = file(
    'prices.csv',
    'registration;ppa;tariff;reimbursable;valid_from\n352/01 A 003/06/22;899,00 DA;313,00 DA;1;2024-01-01\nNR/01/22;150,00;;0;2024-01-01\nNP/01/22;;100,00;1;2024-01-01\n',
  );
  const r = await chifa(['catalog', 'import', '--prices', prices, '--valid-from', '2024-01-01', '--json', '--home', home]);
  expect(r.code, r.stdout + r.stderr).toBe(0);
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('chifa price', () => {
  it('--json prints the contract document (worked example at 80 % and 100 %)', async () => {
    const r = await price(['--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.thirdPartyPayment).toBe(true);
    expect(r.json.reasons).toEqual([]);
    const strip = (l: PricedLine) => ({ ...l, notes: undefined });
    expect(r.json.lines.map(strip)).toEqual([
      { product: '352/01 A 003/06/22', registration: '352/01 A 003/06/22', name: expect.any(String), quantity: 1, ppa: 89900, tariff: 31300, base: 31300, rate: 8000, fund: 25040, patient: 64860, reimbursable: true },
      { product: '352/01A003/06/22', registration: '352/01 A 003/06/22', name: expect.any(String), quantity: 1, ppa: 89900, tariff: 31300, base: 31300, rate: 10000, fund: 31300, patient: 58600, reimbursable: true },
      { product: 'NR/01/22', registration: 'NR/01/22', name: expect.any(String), quantity: 2, ppa: 15000, tariff: null, base: 0, rate: null, fund: 0, patient: 30000, reimbursable: false },
      { product: 'NP/01/22', registration: 'NP/01/22', name: expect.any(String), quantity: 1, ppa: 20000, tariff: 10000, base: 10000, rate: 8000, fund: 8000, patient: 12000, reimbursable: true },
    ].map((l) => ({ ...l, notes: undefined })));
    expect(r.json.totals).toEqual({ price: 229800, fund: 64340, patient: 165460 });
    for (const l of r.json.lines) expect(l.notes.length).toBeGreaterThan(0);
  }, 60_000);

  it('refusals, in the language asked; unknown product and beneficiary do not fail the command', async () => {
    const lines = file('lines-unknown.json', [{ product: 'NOT/IN/CATALOG', quantity: 1 }, { product: '352/01 A 003/06/22', quantity: 1 }]);
    const r = await chifa(['price', '--json', '--lang', 'en', '--card', cardFile, '--beneficiary', '7', '--date', '2027-01-01', '--lines', lines, '--home', home]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.thirdPartyPayment).toBe(false);
    expect(r.json.reasons.map((x) => x.code)).toEqual(['rights-expired', 'unknown-beneficiary', 'unknown-product']);
    expect(r.json.reasons[0]!.message).toMatch(/rights ended/);
    expect(r.json.lines[0]).toMatchObject({ registration: null, ppa: null, fund: null, patient: null, reimbursable: null });
    expect(r.json.totals).toEqual({ price: 89900, fund: 0, patient: 89900 });
  }, 60_000);

  it('without --json: a readable table in French', async () => {
    const r = await price([]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('899,00 DA');
    expect(r.stdout).toContain('Tiers payant : OUI');
    expect(r.stdout).toContain('2 298,00 DA');
  }, 60_000);

  it('invalid lines: invalid-input, exit 2, naming the line and the field', async () => {
    const bad = file('lines-bad.json', [{ product: 'X', quantity: 1 }, { product: 'Y', quantity: 0 }]);
    const r = await price(['--json'], bad);
    expect(r.code).toBe(2);
    expect(r.json.error.code).toBe('invalid-input');
    expect(r.json.error.message).toMatch(/line 2, field "quantity"/);
  }, 60_000);

  it('a card that is not a `card read` document, or not JSON: invalid-input', async () => {
    const notCard = file('not-card.json', { hello: 'world' });
    const r1 = await chifa(['price', '--json', '--card', notCard, '--beneficiary', '0', '--lines', linesFile, '--home', home]);
    expect([r1.code, r1.json.error.code]).toEqual([2, 'invalid-input']);
    const notJson = file('not-json.json', '{');
    const r2 = await chifa(['price', '--json', '--card', notJson, '--beneficiary', '0', '--lines', linesFile, '--home', home]);
    expect([r2.code, r2.json.error.code]).toEqual([2, 'invalid-input']);
  }, 60_000);

  it('no catalog in the data directory: no-catalog naming both ways out', async () => {
    const r = await price(['--json', '--lang', 'en'], linesFile, join(dir, 'empty-home'));
    expect(r.code).toBe(1);
    expect(r.json.error.code).toBe('no-catalog');
    expect(r.json.error.message).toContain('chifa catalog import FILES');
    expect(r.json.error.message).toContain('chifa catalog import --demo');
  }, 60_000);
});

describe('chifa price against the embedded demo catalog (`catalog import --demo`)', () => {
  const demoHome = join(dir, 'demo-home');
  it('prices the worked example: Lopril 50 mg at 80 % and at 100 %; Lopril 25 mg has no PPA but its vignette', async () => {
    const imported = await chifa(['catalog', 'import', '--demo', '--json', '--home', demoHome]);
    expect(imported.code, imported.stdout + imported.stderr).toBe(0);
    const lines = file('lines-demo.json', [
      { product: '285/06E053/97/16', quantity: 1 },
      { product: '285/06 E 053/97/16', quantity: 1, chronic: 12 },
      { product: '285/ 06 E 052 /97/16', quantity: 1, ppa: 40000 },
      { product: '285/ 06 E 052 /97/16', quantity: 1 },
    ]);
    const r = await chifa(['price', '--json', '--card', cardFile, '--beneficiary', '0', '--date', '2026-03-15', '--lines', lines, '--home', demoHome]);
    expect(r.code, r.stderr).toBe(0);
    const figures = r.json.lines.map((l) => [l.ppa, l.tariff, l.base, l.rate, l.fund, l.patient]);
    expect(figures).toEqual([
      [89900, 31300, 31300, 8000, 25040, 64860],
      [89900, 31300, 31300, 10000, 31300, 58600],
      [40000, 14880, 14880, 8000, 11904, 28096],
      [null, 14880, null, null, null, null],
    ]);
    expect(r.json.reasons.map((x) => x.code)).toEqual(['unknown-price']);
    expect(r.json.totals).toEqual({ price: 219800, fund: 0, patient: 219800 });
  }, 60_000);
});
