/**
 * A card pulled out at each APDU of a full read (PIN and professional session included),
 * and a card reset by another program sharing the reader, over the real pcscd + vpcd.
 * card-profile.md §1: a removal ends the read with `card-removed`, never a partial card; a
 * reset restarts the read from SELECT, at most 3 times, then `reader-error`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PcscService } from '../../src/adapters/pcsc/service.ts';
import type { PcscConnection } from '../../src/adapters/pcsc/connection.ts';
import { readCard, type CardReadResult } from '../../src/core/card/read-card.ts';
import { readInsuredCard } from '../../src/app/read-insured.ts';
import { isChifaError } from '../../src/core/errors.ts';
import type { InsuredCardEmulator } from '../../src/emulator/insured-card.ts';
import type { ProfessionalKeyEmulator } from '../../src/emulator/professional-key.ts';
import type { VirtualCard } from '../../src/emulator/virtual-card.ts';
import { cardFromDoc, expectedRead, readDoc } from '../support/cards.ts';
import {
  cleanup,
  explain,
  cliRead,
  insert,
  loadProfessional,
  otherProgram,
  pcscdReady,
  pyscardHolder,
  READER0,
  READER1,
  remove,
  requirePcscd,
  startService,
  today,
  trust,
  type ReaderName,
} from '../support/pcscd.ts';

requirePcscd('card-removal-reset.test.ts');

const family = readDoc('family');
const FULL = expectedRead(family, { pin: true, history: true });

const isInsuredSelect = (apdu: Uint8Array) => apdu[1] === 0xa4 && apdu[4] === 0x07;

describe.skipIf(!pcscdReady)('card removed or reset during a read (pcscd + vpcd)', () => {
  let service: PcscService;

  beforeEach(async () => {
    service = await startService();
  });
  afterEach(cleanup);

  /** A full read (PIN, professional session) on fresh connections to both readers. */
  async function fullRead(): Promise<CardReadResult> {
    const conns: PcscConnection[] = [];
    try {
      conns.push(await service.connect(READER0));
      conns.push(await service.connect(READER1));
      return await readCard(conns[0]!, { trust, today, pin: '1234', professional: { connection: conns[1]!, pin: '1234' } });
    } finally {
      for (const c of conns) await c.close(true);
    }
  }

  /**
   * For k = 1..N (N: the APDUs a clean full read sends to the card in `reader`), the card is
   * pulled out before it answers its k-th APDU of a read. Each insertion first reads the
   * card cleanly (the insertion after a removal reads cleanly), then the read that loses it.
   */
  async function removalAtEachApdu(reader: ReaderName, card: VirtualCard & { apduCount: number }) {
    const first = await insert(card, reader, { service });
    const clean = await fullRead();
    expect(clean.data).toEqual(FULL);
    const n = first.apduCount;
    expect(n).toBeGreaterThan(3);
    await remove(first, reader, service);

    const outcomes: string[] = [];
    for (let k = 1; k <= n; k++) {
      const link = await insert(card, reader, { service, drop: (count) => count === n + k });
      const again = await fullRead();
      expect(again.data, `clean read on the insertion after a removal at APDU ${k - 1}`).toEqual(FULL);
      expect(link.apduCount).toBe(n);
      let result: CardReadResult | null = null;
      let code: string;
      try {
        result = await fullRead();
        code = 'no error';
      } catch (e) {
        code = isChifaError(e) ? e.code : `not a ChifaError: ${String(e)}`;
      }
      expect(result, `a partial or complete card came back when the card left at APDU ${k}`).toBeNull();
      outcomes.push(`${k}:${code}`);
      await link.closed;
    }
    expect(outcomes).toEqual(Array.from({ length: n }, (_, i) => `${i + 1}:card-removed`));
    // And the card still reads after all that.
    await insert(card, reader, { service });
    expect((await fullRead()).data).toEqual(FULL);
    return n;
  }

  it('insured card pulled out at each APDU of a full read: card-removed every time, then reads cleanly', { timeout: 90_000 }, async () => {
    const card = cardFromDoc(family);
    await insert(await loadProfessional('pharmacist'), READER1, { service });
    const n = await removalAtEachApdu(READER0, card);
    // SELECT, 6 READ BINARY, VERIFY, EF.EMERGENCY, PSO VERIFY CERTIFICATE, GET CHALLENGE,
    // EXTERNAL AUTHENTICATE, READ RECORD 1 and 2.
    expect(n).toBe(14);
    expect(card.pinTriesLeft).toBe(3);
  });

  it('professional key pulled out at each of its APDUs: card-removed every time, then reads cleanly', { timeout: 60_000 }, async () => {
    await insert(cardFromDoc(family), READER0, { service });
    const key = await loadProfessional('pharmacist');
    const n = await removalAtEachApdu(READER1, key);
    expect(n).toBe(4); // SELECT, READ BINARY EF.PS, VERIFY, PSO COMPUTE DIGITAL SIGNATURE
    expect(key.pinTriesLeft).toBe(3);
  });

  it('CLI: card pulled out mid-read gives card-removed (one JSON document), the next insertion reads', async () => {
    const card = cardFromDoc(family);
    await insert(await loadProfessional('pharmacist'), READER1, { service });
    // The CLI first probes the reader (one SELECT), then reads: drop the 6th APDU of the read.
    const link = await insert(card, READER0, { service, drop: (count) => count === 7 });
    const r = await cliRead(['--reader', READER0, '--pin', '1234', '--ps-pin', '1234']);
    expect(r.code, explain(r)).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({ error: { code: 'card-removed', message: expect.any(String) } });
    expect(link.apduCount).toBe(7);
    await link.closed;
    await insert(card, READER0, { service });
    const ok = await cliRead(['--reader', READER0, '--pin', '1234', '--ps-pin', '1234']);
    expect(ok.code, explain(ok)).toBe(0);
    expect(ok.json).toEqual(FULL);
  });

  describe('reset by another program', () => {
    let card: InsuredCardEmulator;
    let key: ProfessionalKeyEmulator;
    let selects: number;
    let hook: ((count: number, apdu: Uint8Array) => void) | null;

    beforeEach(async () => {
      selects = 0;
      hook = null;
      card = cardFromDoc(family, {
        faults: {
          onApdu: (count, apdu) => {
            if (isInsuredSelect(apdu)) selects++;
            hook?.(count, apdu);
          },
        },
      });
      key = await loadProfessional('pharmacist');
      await insert(card, READER0, { service });
      await insert(key, READER1, { service });
    });

    it.each([2, 5, 8])('pcsclite resets the card at APDU %i of our read: the read restarts from SELECT and succeeds', async (at) => {
      const other = await otherProgram(READER0);
      const start = card.apduCount;
      hook = (count) => {
        if (count === start + at) void other.reset();
      };
      const r = await fullRead();
      expect(other.resets).toBe(1);
      expect(r.attempts).toBe(2);
      expect(selects).toBe(2);
      expect(r.data).toEqual(FULL);
      other.close();
    });

    it('reset at every attempt (4 times): reader-error, and no card', async () => {
      const other = await otherProgram(READER0);
      hook = (_count, apdu) => {
        if (isInsuredSelect(apdu)) void other.reset();
      };
      let code = 'no error';
      try {
        await fullRead();
      } catch (e) {
        code = isChifaError(e) ? e.code : String(e);
      }
      expect(code).toBe('reader-error');
      expect(selects).toBe(4);
      // Give the last reset time to land, then check each attempt was reset once.
      await new Promise((r) => setTimeout(r, 200));
      expect(other.resets).toBe(4);
      other.close();
      // Once the other program leaves it alone, the card reads.
      hook = null;
      expect((await fullRead()).data).toEqual(FULL);
    });

    it('pyscard (another process) resets the card during our read: the read restarts and succeeds', async () => {
      const py = await pyscardHolder(READER0);
      const start = card.apduCount;
      let asked: Promise<string> | null = null;
      hook = (count) => {
        if (count === start + 3) asked = py.ask('reset');
      };
      const r = await fullRead();
      expect(await asked).toBe('reset');
      expect(r.attempts).toBe(2);
      expect(r.data).toEqual(FULL);
      expect(await py.close()).toBe(0);
    });

    it('through the app layer (readInsuredCard): a reset mid-read still gives the whole card', async () => {
      const other = await otherProgram(READER0);
      let armed = true;
      hook = (_count, apdu) => {
        // The first insured SELECT is the reader probe; reset on the read's own SELECT.
        if (isInsuredSelect(apdu) && selects === 2 && armed) {
          armed = false;
          void other.reset();
        }
      };
      const r = await readInsuredCard(service, { reader: READER0, pin: '1234', psPin: '1234', waitMs: 5000, trust, today });
      expect(r.attempts).toBe(2);
      expect(r.data).toEqual(FULL);
      other.close();
    });
  });
});
