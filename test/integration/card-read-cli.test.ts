/**
 * `chifa readers` and `chifa card read` as child processes against the real pcscd + vpcd:
 * every demo card read back exactly, PIN and professional session, readable summaries in
 * three languages, finding the card, and the error documents and exit codes of the contract.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PcscService } from '../../src/adapters/pcsc/service.ts';
import { INSURED_ATR } from '../../src/emulator/insured-card.ts';
import { PROFESSIONAL_ATR } from '../../src/emulator/professional-key.ts';
import { hex } from '../../src/core/bytes.ts';
import { expectedRead, readDoc } from '../support/cards.ts';
import {
  cleanup,
  explain,
  cliRead,
  ForeignCard,
  insert,
  loadCard,
  loadInsured,
  pcscdReady,
  READER0,
  READER1,
  requirePcscd,
  runCli,
  startService,
  TRUST_ARGS,
} from '../support/pcscd.ts';

requirePcscd('card-read-cli.test.ts');

/** With --json stdout is one JSON document and nothing else. */
function oneJsonDocument(stdout: string): unknown {
  expect(stdout.trim().length).toBeGreaterThan(0);
  return JSON.parse(stdout);
}

describe.skipIf(!pcscdReady)('card read over pcscd + vpcd (CLI)', () => {
  let service: PcscService;

  beforeEach(async () => {
    service = await startService();
  });
  afterEach(cleanup);

  it.each(['family', 'individual', 'expired'])('reads %s.json exactly', async (name) => {
    await insert(await loadCard(name), READER0, { service });
    const r = await cliRead(['--reader', READER0]);
    expect(r.stderr).toContain('CNAS-TEST-2026'); // the test key warning
    expect(r.code, explain(r)).toBe(0);
    expect(oneJsonDocument(r.stdout)).toEqual(expectedRead(readDoc(name)));
  });

  it('with --pin adds the emergency data, with --ps-pin the history (pharmacist key in the other reader)', async () => {
    await insert(await loadCard('family'), READER0, { service });
    await insert(await loadCard('pharmacist'), READER1, { service });
    const doc = readDoc('family');

    const pin = await cliRead(['--reader', READER0, '--pin', '1234']);
    expect(pin.code, explain(pin)).toBe(0);
    expect(pin.json).toEqual(expectedRead(doc, { pin: true }));
    expect((pin.json as { emergency: unknown }).emergency).toEqual(doc.emergency);

    const ps = await cliRead(['--reader', READER0, '--ps-pin', '1234']);
    expect(ps.code, explain(ps)).toBe(0);
    expect(ps.json).toEqual(expectedRead(doc, { history: true }));
    expect((ps.json as { history: unknown[] }).history).toHaveLength(1);

    const both = await cliRead(['--reader', READER0, '--pin', '1234', '--ps-reader', READER1, '--ps-pin', '1234']);
    expect(both.code, explain(both)).toBe(0);
    expect(both.json).toEqual(expectedRead(doc, { pin: true, history: true }));
  });

  it('reads a card without EF.EMERGENCY with --pin: all four emergency fields null', async () => {
    await insert(await loadCard('individual'), READER0, { service });
    const r = await cliRead(['--reader', READER0, '--pin', '4321']);
    expect(r.code, explain(r)).toBe(0);
    expect((r.json as { emergency: unknown }).emergency).toEqual({ bloodGroup: null, allergies: null, emergencyContact: null, notes: null });
    expect(r.json).toEqual(expectedRead(readDoc('individual'), { pin: true }));
  });

  it.each([
    ['fr', 'Signature de la caisse: valide (CNAS-TEST-2026)', 'ALD 22', 'jusqu’au 30/06/2027', 'taux personnel 100 %', 'taux 80 %'],
    ['en', 'Fund signature: valid (CNAS-TEST-2026)', 'Chronic 22', 'until 30/06/2027', 'personal rate 100 %', 'rate 80 %'],
    ['ar', 'توقيع الصندوق: صالح (CNAS-TEST-2026)', 'مرض مزمن 22', 'حتى 30/06/2027', '100 %', '80 %'],
  ])('prints a readable summary in --lang %s', async (lang, signature, chronic, until, personal, rate) => {
    await insert(await loadCard('family'), READER0, { service });
    const r = await runCli(['card', 'read', ...TRUST_ARGS, '--reader', READER0, '--lang', lang, '--pin', '1234']);
    expect(r.code, explain(r)).toBe(0);
    expect(r.json).toBeUndefined(); // not JSON
    const out = r.stdout;
    // Names in both scripts, for the holder and the dependants.
    expect(out).toContain('BENALI AHMED / بن علي أحمد');
    expect(out).toContain('BENALI FATIMA ZOHRA / بن علي فاطمة الزهراء');
    expect(out).toContain('BENALI KHEIRA / بن علي خيرة');
    // Rates as percentages, chronic conditions with their dates, the partial birth date as given.
    expect(out).toContain(personal);
    expect(out).toContain(rate);
    expect(out).toContain(chronic);
    expect(out).toContain(until);
    expect(out).toContain('31/03/2027'); // the spouse's condition 7
    expect(out).toContain('00/00/1950');
    expect(out).toContain('O+');
    expect(out).toContain(signature);
    // The test key warning goes to stderr, in the same language.
    const warning = { fr: 'ATTENTION', en: 'WARNING', ar: 'تنبيه' }[lang]!;
    expect(r.stderr).toContain(warning);
    expect(r.stdout).not.toContain(warning);
  });

  it('readers --json lists both readers with the application of each card (insured, professional, none, foreign)', async () => {
    const empty = await runCli(['readers', '--json']);
    expect(empty.code, explain(empty)).toBe(0);
    expect(oneJsonDocument(empty.stdout)).toEqual([
      { name: READER0, card: null },
      { name: READER1, card: null },
    ]);

    await insert(await loadCard('family'), READER0, { service });
    await insert(await loadCard('pharmacist'), READER1, { service });
    const r = await runCli(['readers', '--json']);
    expect(r.code, explain(r)).toBe(0);
    expect(oneJsonDocument(r.stdout)).toEqual([
      { name: READER0, card: { atr: hex(INSURED_ATR), application: 'insured' } },
      { name: READER1, card: { atr: hex(PROFESSIONAL_ATR), application: 'professional' } },
    ]);
    await cleanup();
    service = await startService();

    const foreign = new ForeignCard();
    await insert(foreign, READER0, { service });
    await insert(await loadCard('physician'), READER1, { service });
    const f = await runCli(['readers', '--json']);
    expect(f.code, explain(f)).toBe(0);
    expect(f.json).toEqual([
      { name: READER0, card: { atr: hex(foreign.atr), application: null } },
      { name: READER1, card: { atr: hex(PROFESSIONAL_ATR), application: 'professional' } },
    ]);
    // The foreign card was asked both applications and answered neither.
    expect(foreign.apdus.map((a) => hex(a))).toEqual(['00a4040c07f0434849464101', '00a4040c09f04348494641505301']);
  });

  it('without --reader finds the insured card even when the professional key sits in the first reader', async () => {
    await insert(await loadCard('pharmacist'), READER0, { service });
    await insert(await loadCard('individual'), READER1, { service });
    const r = await cliRead(['--wait', '5']);
    expect(r.code, explain(r)).toBe(0);
    expect(r.json).toEqual(expectedRead(readDoc('individual')));

    // And the session key is found in the other reader by its application.
    const card = await loadInsured('family');
    await cleanup();
    service = await startService();
    await insert(await loadCard('pharmacist'), READER0, { service });
    await insert(card, READER1, { service });
    const h = await cliRead(['--pin', '1234', '--ps-pin', '1234']);
    expect(h.code, explain(h)).toBe(0);
    expect(h.json).toEqual(expectedRead(readDoc('family'), { pin: true, history: true }));
  });

  it('waits for a card inserted after the command started (--wait)', async () => {
    const pending = cliRead(['--wait', '10', '--pin', '4321']);
    await new Promise((r) => setTimeout(r, 1500));
    await insert(await loadCard('individual'), READER1, { service });
    const r = await pending;
    expect(r.code, explain(r)).toBe(0);
    expect(r.json).toEqual(expectedRead(readDoc('individual'), { pin: true }));
  });

  it('--ps-pin without a professional key in any reader: no-professional-key', async () => {
    const card = await loadInsured('family');
    await insert(card, READER0, { service });
    const r = await cliRead(['--reader', READER0, '--ps-pin', '1234']);
    expect(r.code, explain(r)).toBe(1);
    expect(oneJsonDocument(r.stdout)).toEqual({ error: { code: 'no-professional-key', message: expect.any(String) } });
    // A named --ps-reader holding an insured card is not a professional key either.
    await insert(await loadCard('individual'), READER1, { service });
    const named = await cliRead(['--reader', READER0, '--ps-reader', READER1, '--ps-pin', '1234']);
    expect((named.json as { error: { code: string } }).error.code).toBe('no-professional-key');
    expect(card.pinTriesLeft).toBe(3);
  });

  it('no card: no-card after --wait, exit 1, one JSON document', async () => {
    const t0 = Date.now();
    const r = await cliRead(['--wait', '1']);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    expect(r.code, explain(r)).toBe(1);
    expect(oneJsonDocument(r.stdout)).toEqual({ error: { code: 'no-card', message: expect.any(String) } });
  });

  it('a card of another kind only: not-a-chifa-card (with and without --reader)', async () => {
    await insert(new ForeignCard(), READER1, { service });
    const r = await cliRead(['--wait', '1']);
    expect(r.code, explain(r)).toBe(1);
    expect(oneJsonDocument(r.stdout)).toEqual({ error: { code: 'not-a-chifa-card', message: expect.any(String) } });
    const named = await cliRead(['--reader', READER1, '--wait', '1']);
    expect(named.code, explain(named)).toBe(1);
    expect((named.json as { error: { code: string } }).error.code).toBe('not-a-chifa-card');
    // A professional key alone is not an insured card either, and is not read as one.
    await insert(await loadCard('physician'), READER0, { service });
    const p = await cliRead(['--reader', READER0, '--wait', '1']);
    expect((p.json as { error: { code: string } }).error.code).toBe('not-a-chifa-card');
  });

  it('bad usage exits 2 with an invalid-input document, and sends nothing to the card', async () => {
    const card = await loadInsured('family');
    await insert(card, READER0, { service });
    const before = card.apduCount;
    for (const args of [
      ['--reader', READER0, '--pin', '12'],
      ['--reader', READER0, '--pin', '12345678901'],
      ['--reader', READER0, '--pin', 'abcd'],
      ['--reader', READER0, '--ps-pin', '1'],
      ['--reader', READER0, '--ps-reader', READER1],
      ['--reader', READER0, '--wait', 'soon'],
      ['--reader', READER0, '--no-such-option'],
      ['--reader', READER0, '--lang', 'de'],
    ]) {
      const r = await cliRead(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(oneJsonDocument(r.stdout), args.join(' ')).toEqual({ error: { code: 'invalid-input', message: expect.any(String) } });
    }
    expect(card.pinTriesLeft).toBe(3);
    // Nothing reached the card: no VERIFY with a PIN that cannot be right.
    expect(card.apduCount - before).toBe(0);
  });

  it('exit 1 and one JSON document for a failed read; no --json: message on stderr, nothing on stdout', async () => {
    const card = await loadInsured('individual');
    await insert(card, READER0, { service });
    const r = await cliRead(['--reader', READER0, '--pin', '0000']);
    expect(r.code, explain(r)).toBe(1);
    expect(oneJsonDocument(r.stdout)).toEqual({ error: { code: 'wrong-pin', message: expect.stringContaining('2') } });
    const plain = await runCli(['card', 'read', ...TRUST_ARGS, '--reader', READER0, '--pin', '0000', '--lang', 'en']);
    expect(plain.code, explain(plain)).toBe(1);
    expect(plain.stdout).toBe('');
    expect(plain.stderr).toContain('Wrong PIN: 1 tries left.');
    // The right PIN before the third wrong one resets the counter.
    const ok = await cliRead(['--reader', READER0, '--pin', '4321']);
    expect(ok.code, explain(ok)).toBe(0);
    expect(card.pinTriesLeft).toBe(3);
  });
});
