// The card protocol (src/core/card/read-card.ts) against the emulator in memory: every
// transport answer of card-profile.md §1, faults at each APDU, PINs and professional sessions.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTrustDirectory } from '../../src/adapters/keys.ts';
import { hex } from '../../src/core/bytes.ts';
import { ApduSession } from '../../src/core/card/apdu-session.ts';
import type { CardConnection } from '../../src/core/card/connection.ts';
import { encodeHistoryRecord } from '../../src/core/card/history.ts';
import { appendHistoryRecord, openProfessionalSession } from '../../src/core/card/professional-session.ts';
import { readCard, selectInsured } from '../../src/core/card/read-card.ts';
import { ChifaError } from '../../src/core/errors.ts';
import { loadVirtualCard } from '../../src/emulator/document.ts';
import type { VirtualCard } from '../../src/emulator/virtual-card.ts';
import { bigFamilyDoc, cardFromDoc, expectedApdus, expectedRead, identityFileLengths, readDoc } from '../support/cards.ts';
import { CARDS_DIR, TRUST_DIR } from '../support/pcscd.ts';

const trust = loadTrustDirectory(TRUST_DIR);
const today = '2026-12-07';

interface Memory extends CardConnection {
  sent: string[];
}

/** A connection straight into an emulated card; `fault` may throw instead of answering APDU n. */
function memory(card: VirtualCard, fault?: (n: number) => ChifaError | null): Memory {
  const sent: string[] = [];
  return {
    sent,
    async transmit(apdu) {
      sent.push(hex(apdu));
      const e = fault?.(sent.length);
      if (e) {
        if (e.code === 'card-reset') card.reset();
        throw e;
      }
      return card.process(apdu);
    },
    async recover() {},
  };
}

const removed = () => new ChifaError('card-removed', 'removed');
const reset = () => new ChifaError('card-reset', 'reset');
const pharmacist = () => loadVirtualCard(join(CARDS_DIR, 'pharmacist.json'), { trustDir: TRUST_DIR });
const physician = () => loadVirtualCard(join(CARDS_DIR, 'physician.json'), { trustDir: TRUST_DIR });

async function failure(p: Promise<unknown>): Promise<ChifaError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ChifaError) return e;
    throw e;
  }
  throw new Error('expected the read to fail');
}

describe('a full read', () => {
  it.each([
    ['plain', {}],
    ['61XX chains of 7 bytes', { chunked: 7 }],
    ['6CXX re-sends', { exactLe: true }],
    ['both', { chunked: 50, exactLe: true }],
  ])('reads the family card exactly, %s, in the APDUs the profile needs', async (_name, faults) => {
    const doc = readDoc('family');
    const conn = memory(cardFromDoc(doc, { faults }));
    const r = await readCard(conn, { trust, today });
    expect(r.data).toEqual(expectedRead(doc));
    expect(r.apdus).toBe(expectedApdus(identityFileLengths(doc), faults));
    expect(conn.sent.length).toBe(r.apdus);
  });

  it('reads a file past 256 bytes by offset, and the signature over it verifies', async () => {
    const doc = bigFamilyDoc();
    const lengths = identityFileLengths(doc);
    expect(lengths[3]).toBeGreaterThan(512);
    const conn = memory(cardFromDoc(doc));
    const r = await readCard(conn, { trust, today });
    expect(r.data).toEqual(expectedRead(doc));
    // Current-file reads carry the offset in P1-P2 with bit 8 of P1 clear.
    expect(conn.sent.filter((a) => a.startsWith('00b001') || a.startsWith('00b002')).length).toBeGreaterThan(0);
  });

  it('pads files with FF or 00 and still reads exactly what was written', async () => {
    const doc = readDoc('individual');
    for (const byte of [0x00, 0xff] as const) {
      const r = await readCard(memory(cardFromDoc(doc, { card: { padding: { byte, size: 700 } } })), { trust, today });
      expect(r.data).toEqual(expectedRead(doc));
    }
  });

  it('shows a tampered card with an invalid signature, and an unknown key as untrusted', async () => {
    const doc = readDoc('family');
    const tampered = cardFromDoc(doc);
    const r = await readCard(memory(tampered), { trust: { publicKey: () => null }, today });
    expect(r.data.signature).toEqual({ keyId: 'CNAS-TEST-2026', status: 'untrusted-key' });
    const other = loadTrustDirectory(join(CARDS_DIR, '../keys/professional'));
    // A store that names the key but holds another point: the signature does not verify.
    const wrongKey = { publicKey: (id: string) => (id === 'CNAS-TEST-2026' ? other.publicKey('PH-TEST-0001') : null) };
    const r2 = await readCard(memory(cardFromDoc(doc)), { trust: wrongKey, today });
    expect(r2.data.signature).toEqual({ keyId: 'CNAS-TEST-2026', status: 'invalid' });
    expect(r2.data.holder.surname).toBe('BENALI');
  });
});

describe('faults during a read', () => {
  it('a card removed at each APDU ends the read with card-removed, and the next read is clean', async () => {
    const doc = readDoc('family');
    const clean = memory(cardFromDoc(doc));
    const full = await readCard(clean, {
      trust,
      today,
      pin: '1234',
      professional: { connection: memory(await pharmacist()), pin: '1234' },
    });
    const n = clean.sent.length;
    expect(n).toBeGreaterThan(10);
    for (let k = 1; k <= n; k++) {
      const card = cardFromDoc(doc);
      const e = await failure(
        readCard(memory(card, (i) => (i === k ? removed() : null)), {
          trust,
          today,
          pin: '1234',
          professional: { connection: memory(await pharmacist()), pin: '1234' },
        }),
      );
      expect(e.code, `APDU ${k}`).toBe('card-removed');
      card.reset();
      const again = await readCard(memory(card), { trust, today, pin: '1234', professional: { connection: memory(await pharmacist()), pin: '1234' } });
      expect(again.data).toEqual(full.data);
    }
  });

  it('a reset restarts the read from SELECT; a fourth reset gives reader-error', async () => {
    const doc = readDoc('family');
    const conn = memory(cardFromDoc(doc), (i) => (i === 3 ? reset() : null));
    const r = await readCard(conn, { trust, today });
    expect(r.attempts).toBe(2);
    expect(r.data).toEqual(expectedRead(doc));
    expect(conn.sent.filter((a) => a.startsWith('00a4040c')).length).toBe(2);

    let count = 0;
    const always = memory(cardFromDoc(doc), () => (++count % 2 === 0 ? reset() : null));
    const e = await failure(readCard(always, { trust, today }));
    expect(e.code).toBe('reader-error');
    expect(always.sent.filter((a) => a.startsWith('00a4040c')).length).toBe(4);
  });

  it('malformed data fails the whole read before any PIN is presented', async () => {
    const doc = readDoc('family');
    doc.profileVersion = 2;
    const card = cardFromDoc(doc);
    const conn = memory(card);
    const e = await failure(readCard(conn, { trust, today, pin: '9999' }));
    expect(e.code).toBe('malformed-card-data');
    expect(e.message).toContain('EF.ICC');
    expect(conn.sent.some((a) => a.startsWith('00200081'))).toBe(false);
    expect(card.pinTriesLeft).toBe(3);
  });

  it('a card of another application is not-a-chifa-card', async () => {
    const e = await failure(selectInsured(new ApduSession(memory(await pharmacist()))));
    expect(e.code).toBe('not-a-chifa-card');
  });
});

describe('PINs', () => {
  it('counts down, blocks, and a right PIN before the third resets the count', async () => {
    const card = cardFromDoc(readDoc('family'));
    const read = (pin: string) => readCard(memory(card), { trust, today, pin });
    expect((await failure(read('0000'))).details.triesLeft).toBe(2);
    expect((await read('1234')).data.emergency?.bloodGroup).toBe('O+');
    expect((await failure(read('0000'))).details.triesLeft).toBe(2);
    expect((await failure(read('0001'))).details.triesLeft).toBe(1);
    expect((await failure(read('0002'))).code).toBe('pin-blocked');
    expect((await failure(read('1234'))).code).toBe('pin-blocked');
  });

  it('reads a card without EF.EMERGENCY as four nulls', async () => {
    const doc = readDoc('individual');
    const r = await readCard(memory(cardFromDoc(doc)), { trust, today, pin: '4321' });
    expect(r.data.emergency).toEqual({ bloodGroup: null, allergies: null, emergencyContact: null, notes: null });
  });
});

describe('professional sessions', () => {
  it('a pharmacist reads the history and appends a record that becomes record 1', async () => {
    const doc = readDoc('family');
    const card = cardFromDoc(doc);
    const session = new ApduSession(memory(card));
    await selectInsured(session);
    const ps = new ApduSession(memory(await pharmacist()));
    const cert = await openProfessionalSession(session, ps, { pin: '1234', serial: doc.card.serial, trust, today });
    expect(cert.role).toBe('pharmacist');
    const record = {
      date: '2026-12-07',
      pharmacy: 'PH-TEST-0001',
      beneficiary: 2,
      claimId: '0192f5e4-7c3a-7b21-9d4e-5f6a7b8c9d0e',
      total: 123456,
      fund: 98765,
      items: 3,
    };
    expect(await appendHistoryRecord(session, encodeHistoryRecord(record))).toBe('appended');
    const r = await readCard(memory(card), { trust, today, professional: { connection: memory(await pharmacist()), pin: '1234' } });
    expect(r.data.history?.[0]).toEqual(record);
    expect(r.data.history).toHaveLength(2);
  });

  it('a physician reads but may not append', async () => {
    const doc = readDoc('family');
    const card = cardFromDoc(doc);
    const session = new ApduSession(memory(card));
    await selectInsured(session);
    const cert = await openProfessionalSession(session, new ApduSession(memory(await physician())), {
      pin: '5678',
      serial: doc.card.serial,
      trust,
      today,
    });
    expect(cert.role).toBe('physician');
    const rec = encodeHistoryRecord({ date: '2026-12-07', pharmacy: 'X', beneficiary: 0, claimId: '0192f5e4-7c3a-7b21-9d4e-5f6a7b8c9d0e', total: 1, fund: 1, items: 1 });
    expect(await appendHistoryRecord(session, rec)).toBe('not-allowed');
    const r = await readCard(memory(card), { trust, today, professional: { connection: memory(await physician()), pin: '5678' } });
    expect(r.data.history).toHaveLength(1);
  });

  it('refuses a key the fund did not sign before spending its PIN; a wrong key PIN is wrong-pin', async () => {
    const doc = readDoc('family');
    const foreign = { publicKey: () => null };
    const key = await pharmacist();
    const e = await failure(
      readCard(memory(cardFromDoc(doc)), { trust, today: '2031-01-01', professional: { connection: memory(key), pin: '1234' } }),
    );
    expect(e.code).toBe('professional-session-refused');
    // The insured card trusts no fund key: the card refuses the certificate.
    const e2 = await failure(
      readCard(memory(cardFromDoc(doc)), { trust: foreign, today, professional: { connection: memory(key), pin: '1234' } }),
    );
    expect(e2.code).toBe('professional-session-refused');
    const e3 = await failure(readCard(memory(cardFromDoc(doc)), { trust, today, professional: { connection: memory(await pharmacist()), pin: '0000' } }));
    expect(e3.code).toBe('wrong-pin');
    expect(e3.details.whose).toBe('professional');
  });
});
