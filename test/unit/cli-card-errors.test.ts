/**
 * `chifa card read` failures, as scripts see them (json-contract.md):
 * child processes against the mock PC/SC module with a world file. A failure prints exactly
 * one error document on stdout, exit 1; bad usage exit 2; messages in the --lang language.
 */
import { describe, expect, it } from 'vitest';
import { ar, en, fr } from '../../src/i18n/locales.ts';
import { DEMO_TRUST, demoCard, runCli, world, type CliResult } from '../support/cli.ts';

const R1 = 'Virtual PCD 00 01';
const TRUST = ['--trust', DEMO_TRUST];

/** The error document, alone on stdout, with the given code and exit status. */
function expectError(r: CliResult, code: string, exit: number): string {
  expect(r.code, `exit status; stdout: ${r.stdout} stderr: ${r.stderr}`).toBe(exit);
  expect(r.json, `stdout is one JSON document: ${r.stdout}`).toBeDefined();
  expect(Object.keys(r.json as object)).toEqual(['error']);
  const e = (r.json as { error: Record<string, unknown> }).error;
  expect(e.code).toBe(code);
  expect(typeof e.message).toBe('string');
  expect((e.message as string).length).toBeGreaterThan(0);
  return e.message as string;
}

describe.concurrent('chifa card read --json: failures', () => {
  it('a wrong PIN: wrong-pin, exit 1, the message says the tries left', async () => {
    const r = await runCli(['card', 'read', '--json', ...TRUST, '--pin', '0000'], { world: world(demoCard('family')) });
    const message = expectError(r, 'wrong-pin', 1);
    expect(message).toBe(fr.errors['wrong-pin'].replace('{{count}}', '2'));
  });

  it('no card in any reader: no-card (fr by default), exit 1', async () => {
    const r = await runCli(['card', 'read', '--json', '--wait', '0'], { world: world(null) });
    expect(expectError(r, 'no-card', 1)).toBe(fr.errors['no-card']);
  });

  it.each([
    ['ar', ar.errors['no-card']],
    ['en', en.errors['no-card']],
  ])('--lang %s: the message in that language', async (lang, text) => {
    const r = await runCli(['card', 'read', '--json', '--wait', '0', '--lang', lang], { world: world(null) });
    expect(expectError(r, 'no-card', 1)).toBe(text);
    if (lang === 'ar') expect(text).toMatch(/[\u0600-\u06FF]/);
  });

  it('no reader at all: no-reader', async () => {
    const r = await runCli(['card', 'read', '--json', '--wait', '0'], { world: { readers: [] } });
    expectError(r, 'no-reader', 1);
  });

  it('no world at all (a bare mock, as with no pcscd readers): no-reader', async () => {
    const r = await runCli(['card', 'read', '--json', '--wait', '0']);
    expectError(r, 'no-reader', 1);
  });

  it('pcscd not running: no-reader', async () => {
    const r = await runCli(['card', 'read', '--json', '--wait', '0'], { world: { ...world(demoCard('family')), service: 'stopped' } });
    expectError(r, 'no-reader', 1);
  });

  it('only a card of another kind: not-a-chifa-card', async () => {
    const r = await runCli(['card', 'read', '--json', '--wait', '0.2'], { world: world({ foreign: true }) });
    expect(expectError(r, 'not-a-chifa-card', 1)).toBe(fr.errors['not-a-chifa-card']);
  });

  it('--reader naming the professional key\'s reader: not-a-chifa-card without waiting', async () => {
    const t0 = Date.now();
    const r = await runCli(['card', 'read', '--json', '--reader', R1, '--wait', '8'], { world: world(demoCard('family'), demoCard('physician')) });
    expectError(r, 'not-a-chifa-card', 1);
    expect(Date.now() - t0).toBeLessThan(6000);
  });

  it.each([
    [['--pin', '12']],
    [['--ps-pin', '123456789']],
    [['--ps-reader', R1]],
    [['--wait', 'soon']],
    [['--wait', '-1']],
    [['--lang', 'de']],
    [['--bogus']],
  ])('bad usage %j: invalid-input, exit 2, one JSON document', async (extra) => {
    const r = await runCli(['card', 'read', '--json', ...TRUST, ...extra], { world: world(demoCard('family')) });
    expectError(r, 'invalid-input', 2);
  });

  it('--pin 12 is refused before the card is even looked for (no reader needed)', async () => {
    const r = await runCli(['card', 'read', '--json', '--pin', '12', '--wait', '0'], { world: { readers: [] } });
    expectError(r, 'invalid-input', 2);
  });

});

describe('usage errors in the language asked for', () => {
  it('an unknown option: invalid-input, exit 2, message in --lang', async () => {
    const fr = await runCli(['card', 'read', '--bogus', '--json']);
    expect(fr.code).toBe(2);
    expect(fr.json).toMatchObject({ error: { code: 'invalid-input' } });
    expect((fr.json as { error: { message: string } }).error.message).toMatch(/^Entrée invalide : .*--bogus/);
    const ar = await runCli(['card', 'read', '--bogus', '--json', '--lang', 'ar']);
    expect((ar.json as { error: { message: string } }).error.message).toMatch(/^مدخلات غير صالحة/);
  });
});
