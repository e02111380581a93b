/**
 * `chifa readers` as scripts see it (json-contract.md), run as a child process against the
 * mock PC/SC module with a world file: `[{ name, card: null | { atr, application } }]`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hex } from '../../src/core/bytes.ts';
import { INSURED_ATR } from '../../src/emulator/insured-card.ts';
import { PROFESSIONAL_ATR } from '../../src/emulator/professional-key.ts';
import { fr } from '../../src/i18n/locales.ts';
import { demoCard, runCli } from '../support/cli.ts';

const FOREIGN_ATR = '3b6800000073c84013009000';

const byName = <T extends { name: string }>(list: T[]): T[] => [...list].sort((a, b) => a.name.localeCompare(b.name));

describe.concurrent('chifa readers --json', () => {
  it('lists every reader with its card: insured, professional, of another kind, or none', async () => {
    const r = await runCli(['readers', '--json'], {
      world: {
        readers: [
          { name: 'Virtual PCD 00 00', card: demoCard('family') },
          { name: 'Virtual PCD 00 01', card: demoCard('pharmacist') },
          { name: 'ACS ACR38U 00 00', card: { foreign: true, atr: FOREIGN_ATR } },
          { name: 'Gemalto PC Twin Reader 00 00', card: null },
        ],
      },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(Array.isArray(r.json)).toBe(true);
    expect(byName(r.json as { name: string }[])).toEqual(
      byName([
        { name: 'Virtual PCD 00 00', card: { atr: hex(INSURED_ATR), application: 'insured' } },
        { name: 'Virtual PCD 00 01', card: { atr: hex(PROFESSIONAL_ATR), application: 'professional' } },
        { name: 'ACS ACR38U 00 00', card: { atr: FOREIGN_ATR, application: null } },
        { name: 'Gemalto PC Twin Reader 00 00', card: null },
      ]),
    );
    for (const reader of r.json as { card: { atr: string } | null }[]) {
      if (reader.card) expect(reader.card.atr).toMatch(/^([0-9a-fA-F]{2})+$/);
    }
  });

  it('a physician\'s key and an individual card are told apart the same way', async () => {
    const r = await runCli(['readers', '--json'], {
      world: {
        readers: [
          { name: 'Virtual PCD 00 00', card: demoCard('physician') },
          { name: 'Virtual PCD 00 01', card: demoCard('individual') },
        ],
      },
    });
    expect(r.code, r.stderr).toBe(0);
    const apps = Object.fromEntries((r.json as { name: string; card: { application: string } }[]).map((x) => [x.name, x.card.application]));
    expect(apps).toEqual({ 'Virtual PCD 00 00': 'professional', 'Virtual PCD 00 01': 'insured' });
  });

  it('no readers: an empty list, exit 0', async () => {
    const r = await runCli(['readers', '--json'], { world: { readers: [] } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toEqual([]);
  });

  it('pcscd not running: the no-reader error document alone on stdout, exit 1', async () => {
    const r = await runCli(['readers', '--json'], { world: { readers: [{ name: 'Virtual PCD 00 00', card: null }], service: 'stopped' } });
    expect(r.code).toBe(1);
    expect(r.json).toEqual({ error: { code: 'no-reader', message: expect.any(String) } });
    expect((r.json as { error: { message: string } }).error.message).toMatch(/^Aucun lecteur/);
  });

  it('--lang en: the error message in English', async () => {
    const r = await runCli(['readers', '--json', '--lang', 'en'], { world: { readers: [], service: 'stopped' } });
    expect(r.code).toBe(1);
    expect((r.json as { error: { code: string; message: string } }).error).toMatchObject({ code: 'no-reader', message: expect.stringMatching(/^No card reader available/) });
  });

  it('an unknown option with --json: invalid-input, exit 2, one JSON document', async () => {
    const r = await runCli(['readers', '--json', '--verbose'], { world: { readers: [] } });
    expect(r.code).toBe(2);
    expect(r.json).toMatchObject({ error: { code: 'invalid-input', message: expect.any(String) } });
  });

  it('without --json: one line per reader, the application and ATR of its card', async () => {
    const r = await runCli(['readers'], {
      world: {
        readers: [
          { name: 'Virtual PCD 00 00', card: demoCard('family') },
          { name: 'Virtual PCD 00 01', card: null },
        ],
      },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toBeUndefined();
    const lines = r.stdout.trim().split('\n').sort();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^Virtual PCD 00 00\tinsured \(ATR [0-9a-f]+\)$/);
    expect(lines[1]).toMatch(/^Virtual PCD 00 01\t—$/);
    expect(r.stdout).not.toContain(fr.errors['no-reader'].slice(0, 10));
  });

  it('CHIFA_MOCK_WORLD: card paths relative to the world file; a bad world is invalid-input naming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chifa-world-'));
    try {
      const file = join(dir, 'world.json');
      writeFileSync(file, JSON.stringify({ readers: [{ name: 'Virtual PCD 00 00', card: relative(dir, demoCard('individual')) }] }));
      const ok = await runCli(['readers', '--json'], { world: file });
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.json).toEqual([{ name: 'Virtual PCD 00 00', card: { atr: hex(INSURED_ATR), application: 'insured' } }]);

      writeFileSync(file, JSON.stringify({ readers: [{ name: 'Virtual PCD 00 00', card: 'no-such-card.json' }] }));
      const bad = await runCli(['readers', '--json'], { world: file });
      expect(bad.code).toBe(2);
      expect(bad.json).toMatchObject({ error: { code: 'invalid-input', message: expect.stringContaining(file) } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
