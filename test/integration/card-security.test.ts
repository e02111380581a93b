/**
 * PINs, signatures and professional sessions over the real pcscd + vpcd: wrong PINs down to
 * blocked (holder and professional key), the tampered demo card and foreign-signed cards,
 * the test-key warning, and professional sessions at the APDU level (append, 40-record wrap,
 * physician rights, certificates the fund did not sign).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PcscService } from '../../src/adapters/pcsc/service.ts';
import type { PcscConnection } from '../../src/adapters/pcsc/connection.ts';
import { publicKeyFromPem } from '../../src/adapters/keys.ts';
import { fromHex } from '../../src/core/bytes.ts';
import { SW } from '../../src/core/apdu.ts';
import { ApduSession } from '../../src/core/card/apdu-session.ts';
import { psoVerifyCertificate } from '../../src/core/card/commands.ts';
import { encodeIdentityFiles } from '../../src/core/card/encode.ts';
import { readRecords } from '../../src/core/card/files.ts';
import { decodeHistoryRecord, encodeHistoryRecord } from '../../src/core/card/history.ts';
import type { HistoryRecord } from '../../src/core/card/model.ts';
import { HISTORY_RECORDS, SFI } from '../../src/core/card/profile.ts';
import { appendHistoryRecord, openProfessionalSession, readProfessionalKey } from '../../src/core/card/professional-session.ts';
import { selectInsured } from '../../src/core/card/read-card.ts';
import { signedMessage, verifyP256 } from '../../src/core/card/signature.ts';
import { isChifaError } from '../../src/core/errors.ts';
import { professionalKeyFromDocument } from '../../src/emulator/document.ts';
import type { InsuredCardEmulator } from '../../src/emulator/insured-card.ts';
import { cardFromDoc, expectedRead, readDoc, type Doc } from '../support/cards.ts';
import {
  CARDS_DIR,
  cleanup,
  explain,
  cliRead,
  type CliResult,
  insert,
  loadCard,
  loadInsured,
  loadProfessional,
  pcscdReady,
  READER0,
  READER1,
  requirePcscd,
  runCli,
  startService,
  today,
  trust,
  tempDir,
  TRUST_DIR,
} from '../support/pcscd.ts';

requirePcscd('card-security.test.ts');

type ErrorDoc = { error: { code: string; message: string } };
/** The error document of a failed run; anything else fails the test with what the command printed. */
function errorOf(r: CliResult): ErrorDoc['error'] {
  const e = (r.json as ErrorDoc | undefined)?.error;
  if (e === undefined) throw new Error(`expected an error document\n${explain(r)}`);
  return e;
}

describe.skipIf(!pcscdReady)('PINs, signatures and professional sessions (pcscd + vpcd)', () => {
  let service: PcscService;

  beforeEach(async () => {
    service = await startService();
  });
  afterEach(cleanup);

  describe('holder PIN', () => {
    it('wrong PIN: 2 tries left, then 1, then pin-blocked; the right PIN is then refused too', async () => {
      const card = await loadInsured('individual'); // PIN 4321
      await insert(card, READER0, { service });
      const read = (pin: string) => cliRead(['--reader', READER0, '--pin', pin, '--lang', 'en']);

      const first = await read('0000');
      expect(first.code, explain(first)).toBe(1);
      expect(errorOf(first)).toEqual({ code: 'wrong-pin', message: 'Wrong PIN: 2 tries left.' });
      const second = await read('11112222');
      expect(errorOf(second)).toEqual({ code: 'wrong-pin', message: 'Wrong PIN: 1 tries left.' });
      const third = await read('9999');
      expect(third.code, explain(third)).toBe(1);
      expect(errorOf(third).code).toBe('pin-blocked');
      expect(card.pinTriesLeft).toBe(0);
      const right = await read('4321');
      expect(right.code, explain(right)).toBe(1);
      expect(errorOf(right).code).toBe('pin-blocked');
      // Without a PIN the card still reads (the identity files are always readable).
      const plain = await cliRead(['--reader', READER0]);
      expect(plain.code, explain(plain)).toBe(0);
      expect(plain.json).toEqual(expectedRead(readDoc('individual')));
    });

    it('a right PIN before the third wrong one resets the counter', async () => {
      const card = await loadInsured('family'); // PIN 1234
      await insert(card, READER0, { service });
      const read = (pin: string) => cliRead(['--reader', READER0, '--pin', pin, '--lang', 'en']);
      expect(errorOf((await read('0000'))).message).toBe('Wrong PIN: 2 tries left.');
      expect(errorOf((await read('0000'))).message).toBe('Wrong PIN: 1 tries left.');
      const ok = await read('1234');
      expect(ok.code, explain(ok)).toBe(0);
      expect(ok.json).toEqual(expectedRead(readDoc('family'), { pin: true }));
      expect(card.pinTriesLeft).toBe(3);
      expect(errorOf((await read('0000'))).message).toBe('Wrong PIN: 2 tries left.');
    });
  });

  describe('professional key PIN', () => {
    it('wrong --ps-pin: wrong-pin 2, 1, then pin-blocked; the right PIN is then refused too', async () => {
      await insert(await loadCard('family'), READER0, { service });
      const key = await loadProfessional('pharmacist'); // PIN 1234
      await insert(key, READER1, { service });
      const read = (pin: string) => cliRead(['--reader', READER0, '--ps-pin', pin, '--lang', 'en']);
      const a = await read('4321');
      expect(a.code, explain(a)).toBe(1);
      expect(errorOf(a)).toEqual({ code: 'wrong-pin', message: 'Wrong PIN: 2 tries left.' });
      expect(errorOf((await read('4321')))).toEqual({ code: 'wrong-pin', message: 'Wrong PIN: 1 tries left.' });
      expect(errorOf((await read('4321'))).code).toBe('pin-blocked');
      expect(key.pinTriesLeft).toBe(0);
      const right = await read('1234');
      expect(errorOf(right).code).toBe('pin-blocked');
      expect(key.signatures).toBe(0);
    });

    it('a right professional PIN before the third wrong one resets the counter', async () => {
      await insert(await loadCard('family'), READER0, { service });
      const key = await loadProfessional('physician'); // PIN 5678
      await insert(key, READER1, { service });
      const read = (pin: string) => cliRead(['--reader', READER0, '--ps-reader', READER1, '--ps-pin', pin, '--lang', 'en']);
      expect(errorOf((await read('1234'))).message).toBe('Wrong PIN: 2 tries left.');
      expect(errorOf((await read('1234'))).message).toBe('Wrong PIN: 1 tries left.');
      const ok = await read('5678');
      expect(ok.code, explain(ok)).toBe(0);
      expect(ok.json).toEqual(expectedRead(readDoc('family'), { history: true }));
      expect(key.pinTriesLeft).toBe(3);
      expect(errorOf((await read('1234'))).message).toBe('Wrong PIN: 2 tries left.');
    });
  });

  describe('issuer signature', () => {
    it('the tampered demo card carries a genuine signature of the card before one field changed', () => {
      const doc = readDoc('tampered');
      const pub = publicKeyFromPem(readFileSync(join(TRUST_DIR, 'CNAS-TEST-2026.pub.pem'), 'utf8'));
      const value = fromHex(doc.signature.value);
      expect(value).toHaveLength(64);
      expect(verifyP256(signedMessage(encodeIdentityFiles(doc as never)), value, pub)).toBe(false);
      const before = structuredClone(doc);
      before.rights.defaultRate = 8000;
      expect(verifyP256(signedMessage(encodeIdentityFiles(before as never)), value, pub)).toBe(true);
      expect(doc.card.serial).not.toBe(readDoc('individual').card.serial);
    });

    it('tampered.json: status invalid, the data still shown (JSON and summary)', async () => {
      const doc = readDoc('tampered');
      await insert(await loadCard('tampered'), READER0, { service });
      const r = await cliRead(['--reader', READER0, '--pin', '4321']);
      expect(r.code, explain(r)).toBe(0);
      expect(r.json).toEqual(expectedRead(doc, { pin: true, signature: { keyId: 'CNAS-TEST-2026', status: 'invalid' } }));
      expect((r.json as Doc).rights.defaultRate).toBe(10000);
      const s = await runCli(['card', 'read', '--trust', TRUST_DIR, '--reader', READER0, '--lang', 'en']);
      expect(s.code, explain(s)).toBe(0);
      expect(s.stdout).toContain('BOUDIAF KARIM / بوضياف كريم');
      expect(s.stdout).toContain('rate 100 %');
      expect(s.stdout).toContain('Fund signature: INVALID: untrusted data, no third-party payment (CNAS-TEST-2026)');
    });

    it('signed by a key id the trust directory does not hold: untrusted-key', async () => {
      const doc = readDoc('individual');
      doc.signature = { keyId: 'CNAS-PROD-2031', privateKey: '../keys/issuer/CNAS-TEST-2026.key.pem' };
      await insert(cardFromDoc(doc), READER0, { service });
      const r = await cliRead(['--reader', READER0]);
      expect(r.code, explain(r)).toBe(0);
      expect(r.json).toEqual(expectedRead(doc, { signature: { keyId: 'CNAS-PROD-2031', status: 'untrusted-key' } }));
    });

    it('signed under a trusted key id with another private key: invalid', async () => {
      const doc = readDoc('family');
      doc.signature = { keyId: 'CNAS-TEST-2026', privateKey: '../keys/professional/MD-TEST-0002.key.pem' };
      await insert(cardFromDoc(doc), READER0, { service });
      const r = await cliRead(['--reader', READER0]);
      expect(r.code, explain(r)).toBe(0);
      expect(r.json).toEqual(expectedRead(doc, { signature: { keyId: 'CNAS-TEST-2026', status: 'invalid' } }));
    });

    it('the test key warning is on stderr when the test key is trusted, and only then', async () => {
      await insert(await loadCard('family'), READER0, { service });
      const r = await cliRead(['--reader', READER0, '--lang', 'en']);
      expect(r.code, explain(r)).toBe(0);
      expect(r.stderr).toContain('WARNING: the public TEST key CNAS-TEST-2026 is in the trust directory. Never use it in a real pharmacy.');
      expect(r.stdout).not.toContain('WARNING');
      // An empty trust directory: no warning, and the card's key is unknown.
      const empty = tempDir();
      const u = await runCli(['card', 'read', '--json', '--trust', empty, '--reader', READER0, '--lang', 'en']);
      expect(u.code, explain(u)).toBe(0);
      expect(u.stderr).not.toContain('TEST key');
      expect((u.json as Doc).signature).toEqual({ keyId: 'CNAS-TEST-2026', status: 'untrusted-key' });
      // CHIFA_TRUST_DIR names the trust directory too.
      const e = await runCli(['card', 'read', '--json', '--reader', READER0, '--lang', 'en'], { env: { CHIFA_TRUST_DIR: TRUST_DIR } });
      expect(e.stderr).toContain('TEST key CNAS-TEST-2026');
      expect((e.json as Doc).signature.status).toBe('valid');
    });
  });

  describe('professional sessions at the APDU level', () => {
    let conns: PcscConnection[];
    afterEach(async () => {
      for (const c of conns ?? []) await c.close(true);
      conns = [];
    });

    async function open(card: InsuredCardEmulator, keyName: string) {
      await insert(card, READER0, { service });
      await insert(await loadCard(keyName), READER1, { service });
      conns = [await service.connect(READER0), await service.connect(READER1)];
      const session = new ApduSession(conns[0]!);
      const ps = new ApduSession(conns[1]!);
      await selectInsured(session);
      const serial = readDoc('family').card.serial;
      const cert = await openProfessionalSession(session, ps, { pin: keyName === 'physician' ? '5678' : '1234', serial, trust, today });
      return { session, ps, cert };
    }

    const record = (i: number): HistoryRecord => ({
      date: '2026-06-15',
      pharmacy: 'PH-TEST-0001',
      beneficiary: i % 5,
      claimId: `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`,
      total: 10_000 + i,
      fund: 8_000 + i,
      items: (i % 9) + 1,
    });

    it('pharmacist: reads EF.HISTORY, appends a record that reads back as record 1, and the 40-record wrap holds', async () => {
      const card = cardFromDoc(readDoc('family'));
      const { session, cert } = await open(card, 'pharmacist');
      expect(cert.role).toBe('pharmacist');
      expect(card.sessionRole).toBe('pharmacist');
      const original = encodeHistoryRecord(readDoc('family').history[0]);

      let records = await readRecords(session, SFI.HISTORY, 'EF.HISTORY', HISTORY_RECORDS);
      expect(records).toEqual([original]);

      const first = encodeHistoryRecord(record(1));
      expect(await appendHistoryRecord(session, first)).toBe('appended');
      records = await readRecords(session, SFI.HISTORY, 'EF.HISTORY', HISTORY_RECORDS);
      expect(records).toEqual([first, original]);
      expect(decodeHistoryRecord(records[0]!)).toEqual(record(1));

      for (let i = 2; i <= 45; i++) expect(await appendHistoryRecord(session, encodeHistoryRecord(record(i)))).toBe('appended');
      records = await readRecords(session, SFI.HISTORY, 'EF.HISTORY', HISTORY_RECORDS + 5);
      expect(records).toHaveLength(HISTORY_RECORDS);
      // Newest first: 45, 44, … 6; the original record and 1..5 fell off.
      expect(records.map((r) => decodeHistoryRecord(r))).toEqual(Array.from({ length: 40 }, (_, j) => record(45 - j)));
      expect(card.history).toEqual(records);

      // A record longer than 64 bytes or not one EA template is refused, and nothing changes.
      const long = new Uint8Array(66);
      long.set([0xea, 0x40]);
      expect(await appendHistoryRecord(session, long)).toBe('too-long');
      expect(await appendHistoryRecord(session, Uint8Array.of(0xe1, 0x00))).toBe('malformed');
      expect(card.history).toEqual(records);
    });

    it('the appended record is in the next `card read --ps-pin` as the newest', async () => {
      const card = cardFromDoc(readDoc('family'));
      const { session } = await open(card, 'pharmacist');
      expect(await appendHistoryRecord(session, encodeHistoryRecord(record(7)))).toBe('appended');
      for (const c of conns) await c.close(true);
      conns = [];
      const r = await cliRead(['--reader', READER0, '--ps-pin', '1234']);
      expect(r.code, explain(r)).toBe(0);
      const doc = readDoc('family');
      doc.history = [record(7), ...doc.history];
      expect(r.json).toEqual(expectedRead(doc, { history: true }));
    });

    it('physician: the session reads EF.HISTORY but APPEND RECORD is not-allowed (69 82)', async () => {
      const card = cardFromDoc(readDoc('family'));
      const { session, cert } = await open(card, 'physician');
      expect(cert.role).toBe('physician');
      expect(card.sessionRole).toBe('physician');
      const before = card.history;
      const records = await readRecords(session, SFI.HISTORY, 'EF.HISTORY', HISTORY_RECORDS);
      expect(records).toEqual(before);
      expect(records).toHaveLength(1);
      expect(await appendHistoryRecord(session, encodeHistoryRecord(record(1)))).toBe('not-allowed');
      expect(card.history).toEqual(before);
    });

    it('without a session EF.HISTORY is closed and APPEND is not-allowed', async () => {
      const card = cardFromDoc(readDoc('family'));
      await insert(card, READER0, { service });
      conns = [await service.connect(READER0)];
      const session = new ApduSession(conns[0]!);
      await selectInsured(session);
      await expect(readRecords(session, SFI.HISTORY, 'EF.HISTORY', 40)).rejects.toMatchObject({ code: 'reader-error', details: { sw: '6982' } });
      expect(await appendHistoryRecord(session, encodeHistoryRecord(record(1)))).toBe('not-allowed');
    });
  });

  describe('a professional key the fund did not certify', () => {
    const pharmacist = readDoc('pharmacist');
    const forged: Array<[string, Doc]> = [
      ['certificate signed with another private key', { ...pharmacist, certificate: { keyId: 'CNAS-TEST-2026', privateKey: '../keys/professional/MD-TEST-0002.key.pem' } }],
      ['certificate under an unknown fund key id', { ...pharmacist, certificate: { keyId: 'CNAS-NOPE-2099', privateKey: '../keys/issuer/CNAS-TEST-2026.key.pem' } }],
    ];

    it.each(forged)('%s: professional-session-refused from the core, and the card refuses it too (63 00)', async (_what, doc) => {
      const card = cardFromDoc(readDoc('family'));
      const key = professionalKeyFromDocument(doc, CARDS_DIR, { trustDir: TRUST_DIR });
      await insert(card, READER0, { service });
      await insert(key, READER1, { service });
      const conns = [await service.connect(READER0), await service.connect(READER1)];
      try {
        const session = new ApduSession(conns[0]!);
        const ps = new ApduSession(conns[1]!);
        await selectInsured(session);
        let code = 'no error';
        try {
          await openProfessionalSession(session, ps, { pin: '1234', serial: readDoc('family').card.serial, trust, today });
        } catch (e) {
          code = isChifaError(e) ? e.code : String(e);
        }
        expect(code).toBe('professional-session-refused');
        // Refused before the PIN was spent or anything was signed.
        expect(key.pinTriesLeft).toBe(3);
        expect(key.signatures).toBe(0);
        expect(card.sessionRole).toBeNull();
        // The card's own check, were a terminal to send the certificate anyway.
        const cert = await readProfessionalKey(ps);
        const v = await session.send(psoVerifyCertificate(cert.raw));
        expect(v.sw).toBe(SW.VERIFY_FAILED);
      } finally {
        for (const c of conns) await c.close(true);
      }
    });

    it.each(forged)('%s: professional-session-refused from the CLI', async (_what, doc) => {
      await insert(await loadCard('family'), READER0, { service });
      await insert(professionalKeyFromDocument(doc, CARDS_DIR, { trustDir: TRUST_DIR }), READER1, { service });
      const r = await cliRead(['--reader', READER0, '--ps-pin', '1234']);
      expect(r.code, explain(r)).toBe(1);
      expect(errorOf(r).code).toBe('professional-session-refused');
    });
  });
});
