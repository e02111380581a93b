/**
 * `chifa card read` as scripts and people see it (json-contract.md), run as child processes
 * against the mock PC/SC module with a world file: the card document for each demo card,
 * PINs, the readable summary in three languages.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ar, en, fr } from '../../src/i18n/locales.ts';
import { DEMO_TRUST, demoCard, runCli, world } from '../support/cli.ts';

const TRUST = ['--trust', DEMO_TRUST];

/** What `card read --json` must print for a demo card document, read without PINs. */
function expectedRead(name: string): Record<string, unknown> {
  const doc = JSON.parse(readFileSync(demoCard(name), 'utf8')) as Record<string, unknown> & { signature: { keyId: string } };
  const { pin: _pin, history: _history, emergency: _emergency, signature, ...identity } = doc;
  return { ...identity, profileVersion: 1, emergency: null, history: null, signature: { keyId: signature.keyId, status: 'valid' } };
}

describe.concurrent('chifa card read --json', () => {
  it.each(['family', 'individual', 'expired'])('prints the %s card document as the contract writes it', async (name) => {
    const r = await runCli(['card', 'read', '--json', ...TRUST], { world: world(demoCard(name)) });
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toEqual(expectedRead(name));
    // Nothing but the document on stdout; the test-key warning goes to stderr.
    expect(r.stdout.trim().startsWith('{')).toBe(true);
    expect(r.stderr).toMatch(/CNAS-TEST-2026/);
  });

  it('the family card as the contract example shows its details (partial birth date, Arabic names, rates)', async () => {
    const r = await runCli(['card', 'read', '--json', ...TRUST], { world: world(demoCard('family')) });
    const d = r.json as {
      card: Record<string, unknown>;
      holder: Record<string, unknown>;
      beneficiaries: Record<string, unknown>[];
      rights: Record<string, unknown>;
    };
    expect(d.card).toEqual({ serial: '00A1B2C3D4E5F601', fund: 'CNAS', agency: '16-001', issued: '2024-03-01', expires: '2029-02-28', type: 'family' });
    expect(d.holder).toMatchObject({ nss: '501234567890', surnameAr: 'بن علي', birthDate: '1950-00-00', rate: 10000, status: 'pensioner' });
    expect(d.rights).toMatchObject({ defaultRate: 8000, thirdPartyPayment: true, status: 'active' });
    expect(d.beneficiaries.map((b) => b.index)).toEqual([1, 2, 3, 4]);
    expect(d.beneficiaries[3]).toMatchObject({ relationship: 'ascendant', birthDate: '1931-00-00', rate: 10000, chronicConditions: [] });
    expect(d.beneficiaries[1]).toMatchObject({ rate: null });
  });

  it('finds the insured card in the second reader with a professional key in the first', async () => {
    const r = await runCli(['card', 'read', '--json', ...TRUST], { world: world(demoCard('pharmacist'), demoCard('individual')) });
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toEqual(expectedRead('individual'));
  });

  it('--pin and --ps-pin add the emergency data and the history', async () => {
    const r = await runCli(['card', 'read', '--json', ...TRUST, '--pin', '1234', '--ps-pin', '1234'], {
      world: world(demoCard('family'), demoCard('pharmacist')),
    });
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(demoCard('family'), 'utf8')) as { emergency: unknown; history: unknown };
    expect(r.json).toEqual({ ...expectedRead('family'), emergency: doc.emergency, history: doc.history });
  });

  it('a trust directory without the issuer key: the card is read, its signature untrusted-key', async () => {
    const r = await runCli(['card', 'read', '--json'], { world: world(demoCard('family')) });
    expect(r.code, r.stderr).toBe(0);
    expect((r.json as { signature: unknown }).signature).toEqual({ keyId: 'CNAS-TEST-2026', status: 'untrusted-key' });
  });

  it('without --json: the readable summary on stdout, in French by default', async () => {
    const r = await runCli(['card', 'read', ...TRUST], { world: world(demoCard('family')) });
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toBeUndefined();
    expect(r.stdout).toContain('00A1B2C3D4E5F601');
    expect(r.stdout).toContain('BENALI AHMED');
    expect(r.stdout).toContain('00/00/1950');
    expect(r.stdout).toContain(fr.summary.holder);
    expect(r.stdout).toContain(fr.summary.family);
  });

  it.each([
    ['en', en.summary.holder, en.summary.individual],
    ['ar', ar.summary.holder, ar.summary.individual],
  ])('without --json, --lang %s: the summary in that language', async (lang, holder, type) => {
    const r = await runCli(['card', 'read', ...TRUST, '--lang', lang], { world: world(demoCard('individual')) });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(holder);
    expect(r.stdout).toContain(type);
    expect(r.stdout).toContain('HADDAD KARIM');
    expect(r.stdout).not.toContain(fr.summary.holder);
  });

  it('without --json, a failure: nothing on stdout, the message on stderr, exit 1', async () => {
    const r = await runCli(['card', 'read', '--wait', '0'], { world: world(null) });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(fr.errors['no-card']);
  });
});

