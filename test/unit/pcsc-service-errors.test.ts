/**
 * What a card's transport troubles become for the user, over the mock `pcsclite` module:
 * PC/SC return codes mapped to the contract's error codes, a card pulled out (either way
 * pcscd reports it) or its reader unplugged mid-read → `card-removed` and never half a card,
 * a reset by another program → the read starts again from SELECT (at most 3 times).
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import pcsclite, { mockPcsc, type PcscErrorName } from '../../native-mocks/pcsclite/index.ts';
import { PcscService } from '../../src/adapters/pcsc/service.ts';
import type { PcscConnection } from '../../src/adapters/pcsc/connection.ts';
import { loadTrustDirectory } from '../../src/adapters/keys.ts';
import { encodeCommand } from '../../src/core/apdu.ts';
import { hex } from '../../src/core/bytes.ts';
import { select } from '../../src/core/card/commands.ts';
import { INSURED_AID } from '../../src/core/card/profile.ts';
import { MAX_RESET_RETRIES, readCard, type CardReadResult } from '../../src/core/card/read-card.ts';
import { readInsuredCard } from '../../src/app/read-insured.ts';
import { loadVirtualCard } from '../../src/emulator/document.ts';
import type { InsuredCardEmulator } from '../../src/emulator/insured-card.ts';
import type { FaultOptions } from '../../src/emulator/virtual-card.ts';

const REPO = join(import.meta.dirname, '../..');
const TRUST_DIR = join(REPO, 'data/demo/keys/issuer');
const trust = loadTrustDirectory(TRUST_DIR);
const R0 = 'Virtual PCD 00 00';
const TODAY = '2026-06-15';
const SELECT_HEX = hex(encodeCommand(select(INSURED_AID)));

/** An emulated demo card whose every APDU is logged and may trigger what the test arms. */
interface Watched {
  card: InsuredCardEmulator;
  log: string[];
  /** Called after the card received APDU number `n` (its own count), before it answers. */
  on: ((n: number, apdu: string) => void) | null;
}

async function watched(name = 'family', faults: FaultOptions = {}): Promise<Watched> {
  const w: Watched = { card: null as unknown as InsuredCardEmulator, log: [], on: null };
  w.card = (await loadVirtualCard(join(REPO, 'data/demo/cards', `${name}.json`), {
    trustDir: TRUST_DIR,
    faults: {
      ...faults,
      onApdu: (n, apdu) => {
        const h = hex(apdu);
        w.log.push(h);
        w.on?.(n, h);
      },
    },
  })) as InsuredCardEmulator;
  return w;
}

/** Runs `f` once the APDU being processed has been answered (as another program would act). */
const afterThisApdu = (f: () => void) => queueMicrotask(f);

const services: PcscService[] = [];
async function service(): Promise<PcscService> {
  const s = new PcscService(pcsclite, 30).start();
  services.push(s);
  await s.settled();
  return s;
}

async function withConnection<T>(s: PcscService, f: (c: PcscConnection) => Promise<T>): Promise<T> {
  const c = await s.connect(R0);
  try {
    return await f(c);
  } finally {
    await c.close();
  }
}

function cardInserted(s: PcscService): Promise<void> {
  return new Promise((resolve) => {
    const on = (name: string) => {
      if (name !== R0) return;
      s.off('card-inserted', on);
      resolve();
    };
    s.on('card-inserted', on);
  });
}

let clean: CardReadResult;
/** The APDUs of one whole read, as the card received them. */
let cleanLog: string[];

beforeEach(async () => {
  mockPcsc.reset({ readers: [R0] });
  if (clean === undefined) {
    const w = await watched();
    mockPcsc.insertCard(R0, w.card);
    clean = await withConnection(await service(), (c) => readCard(c, { trust, today: TODAY }));
    cleanLog = w.log.slice();
    for (const s of services.splice(0)) s.close();
    mockPcsc.reset({ readers: [R0] });
  }
});
afterEach(() => {
  for (const s of services.splice(0)) s.close();
  mockPcsc.reset();
});

describe('PC/SC return codes, as the user sees them', () => {
  it.each<[PcscErrorName, string]>([
    ['SCARD_W_REMOVED_CARD', 'card-removed'],
    ['SCARD_E_NO_SMARTCARD', 'card-removed'],
    ['SCARD_E_NOT_TRANSACTED', 'card-removed'],
    ['SCARD_W_UNPOWERED_CARD', 'card-removed'],
    ['SCARD_W_UNRESPONSIVE_CARD', 'card-removed'],
    ['SCARD_E_READER_UNAVAILABLE', 'card-removed'],
    ['SCARD_W_RESET_CARD', 'card-reset'],
    ['SCARD_E_NO_SERVICE', 'no-reader'],
    ['SCARD_E_SERVICE_STOPPED', 'no-reader'],
    ['SCARD_F_COMM_ERROR', 'reader-error'],
    ['SCARD_E_INSUFFICIENT_BUFFER', 'reader-error'],
  ])('a transmit failing with %s is %s', async (name, code) => {
    const w = await watched();
    mockPcsc.insertCard(R0, w.card);
    const s = await service();
    await withConnection(s, async (c) => {
      mockPcsc.failNextTransmit(R0, name);
      const err = await c.transmit(encodeCommand(select(INSURED_AID))).catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'ChifaError', code });
      // The failure was the transport's: the card never saw the APDU, and the next one goes through.
      expect(w.log).toEqual([]);
      expect(hex(await c.transmit(encodeCommand(select(INSURED_AID))))).toBe('9000');
    });
  });
});

describe('a card pulled out during a read', () => {
  it.each(['failNextTransmit(W_REMOVED_CARD)', 'pullCardDuringNextTransmit'])('ends with card-removed (%s)', async (style) => {
    const w = await watched();
    mockPcsc.insertCard(R0, w.card);
    const s = await service();
    // Mid-read: the card leaves while the 4th APDU of the read is on its way.
    w.on = (n) => {
      if (n !== 3) return;
      afterThisApdu(() => {
        if (style === 'pullCardDuringNextTransmit') mockPcsc.pullCardDuringNextTransmit(R0);
        else {
          mockPcsc.failNextTransmit(R0, 'SCARD_W_REMOVED_CARD');
          mockPcsc.removeCard(R0);
        }
      });
    };
    const err = await withConnection(s, (c) => readCard(c, { trust, today: TODAY })).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'card-removed' });
    expect(w.log).toHaveLength(3);
    expect(mockPcsc.cardIn(R0)).toBeNull();
  });

  it('through the use case: card-removed, nothing returned; the next insertion reads cleanly on the same service', async () => {
    const w = await watched();
    mockPcsc.insertCard(R0, w.card);
    const s = await service();
    let armed = true;
    w.on = (_n, apdu) => {
      // The probe's SELECT and the read's SELECT, then the card goes at the next APDU.
      if (armed && w.log.filter((a) => a === SELECT_HEX).length === 2 && apdu === SELECT_HEX) {
        armed = false;
        afterThisApdu(() => mockPcsc.pullCardDuringNextTransmit(R0));
      }
    };
    let result: unknown = 'nothing';
    const err = await readInsuredCard(s, { waitMs: 1000, trust, today: TODAY })
      .then((r) => (result = r))
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'card-removed' });
    expect(result).toBe('nothing');
    expect(mockPcsc.cardIn(R0)).toBeNull();
    expect(mockPcsc.connections(R0)).toBe(0);

    const again = cardInserted(s);
    mockPcsc.insertCard(R0, w.card);
    await again;
    const r = await readInsuredCard(s, { waitMs: 1000, trust, today: TODAY });
    expect(r.data).toEqual(clean.data);
    expect(r.attempts).toBe(1);
  });

  it('at whichever APDU the card leaves, the read ends with card-removed; reinserted, it reads whole', async () => {
    const w = await watched();
    const s = await service();
    const n = clean.apdus;
    expect(n).toBeGreaterThanOrEqual(6);
    for (let j = 1; j <= n; j++) {
      const style = j % 2 === 0 ? 'pull' : 'remove';
      const inserted = cardInserted(s);
      mockPcsc.insertCard(R0, w.card);
      await inserted;
      const base = w.card.apduCount;
      // The probe sends one SELECT; APDU j of the read is card APDU base + 1 + j.
      w.on = (count) => {
        if (count !== base + j) return;
        afterThisApdu(() => (style === 'pull' ? mockPcsc.pullCardDuringNextTransmit(R0) : mockPcsc.removeCard(R0)));
      };
      const outcome = await readInsuredCard(s, { waitMs: 1000, trust, today: TODAY }).then(
        () => 'a card',
        (e: { code?: string }) => e.code,
      );
      expect({ j, style, outcome }).toEqual({ j, style, outcome: 'card-removed' });
      w.on = null;
      if (mockPcsc.cardIn(R0) !== null) throw new Error(`the card should be out after APDU ${j}`);
    }
    const inserted = cardInserted(s);
    mockPcsc.insertCard(R0, w.card);
    await inserted;
    expect((await readInsuredCard(s, { waitMs: 1000, trust, today: TODAY })).data).toEqual(clean.data);
  });

  it('its reader unplugged mid-read: card-removed', async () => {
    const w = await watched();
    mockPcsc.insertCard(R0, w.card);
    const s = await service();
    w.on = (n) => {
      if (n === 4) afterThisApdu(() => mockPcsc.removeReader(R0));
    };
    const err = await readInsuredCard(s, { waitMs: 1000, trust, today: TODAY }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'card-removed' });
    expect(w.log).toHaveLength(4);
  });
});

describe('a card reset by another program during a read', () => {
  it('restarts the read from SELECT and succeeds', async () => {
    const w = await watched();
    mockPcsc.insertCard(R0, w.card);
    const s = await service();
    w.on = (n) => {
      if (n === 5) afterThisApdu(() => mockPcsc.resetCard(R0));
    };
    const r = await withConnection(s, (c) => readCard(c, { trust, today: TODAY }));
    expect(r.data).toEqual(clean.data);
    expect(r.attempts).toBe(2);
    // 5 APDUs, the 6th refused by the reset (never reached the card), then a whole read from SELECT.
    expect(w.log[0]).toBe(SELECT_HEX);
    expect(w.log[5]).toBe(SELECT_HEX);
    expect(w.log.filter((a) => a === SELECT_HEX)).toHaveLength(2);
    expect(cleanLog).toHaveLength(clean.apdus);
    expect(w.log.slice(0, 5)).toEqual(cleanLog.slice(0, 5));
    expect(w.log.slice(5)).toEqual(cleanLog);
    expect(w.log).toHaveLength(5 + clean.apdus);
    // Every APDU sent counts, the refused one included.
    expect(r.apdus).toBe(6 + clean.apdus);
  });

  it(`succeeds after ${MAX_RESET_RETRIES} resets in a row`, async () => {
    const w = await watched();
    mockPcsc.insertCard(R0, w.card);
    const s = await service();
    let resets = 0;
    w.on = (_n, apdu) => {
      if (apdu === SELECT_HEX && resets < MAX_RESET_RETRIES) {
        resets++;
        afterThisApdu(() => mockPcsc.resetCard(R0));
      }
    };
    const r = await withConnection(s, (c) => readCard(c, { trust, today: TODAY }));
    expect(r.attempts).toBe(MAX_RESET_RETRIES + 1);
    expect(r.data).toEqual(clean.data);
  });

  it('gives up with reader-error after 4 resets in a row, having sent SELECT 4 times', async () => {
    const w = await watched();
    mockPcsc.insertCard(R0, w.card);
    const s = await service();
    w.on = (_n, apdu) => {
      if (apdu === SELECT_HEX) afterThisApdu(() => mockPcsc.resetCard(R0));
    };
    const err = await withConnection(s, (c) => readCard(c, { trust, today: TODAY })).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'reader-error' });
    expect(w.log).toEqual(Array(MAX_RESET_RETRIES + 1).fill(SELECT_HEX));
  });

  it('a reset during the use case (PIN given) still gives the whole card, emergency data included', async () => {
    const w = await watched();
    mockPcsc.insertCard(R0, w.card);
    const s = await service();
    let resetDone = false;
    w.on = (_n, apdu) => {
      // Right after the PIN was verified: the verified state is lost with the reset.
      if (!resetDone && apdu.startsWith('00200081')) {
        resetDone = true;
        afterThisApdu(() => mockPcsc.resetCard(R0));
      }
    };
    const r = await readInsuredCard(s, { waitMs: 1000, trust, today: TODAY, pin: '1234' });
    expect(resetDone).toBe(true);
    expect(r.attempts).toBe(2);
    expect(r.data.emergency).toEqual({
      bloodGroup: 'O+',
      allergies: 'Pénicilline',
      emergencyContact: '+213 555 12 34 56',
      notes: 'Diabétique insulino-dépendant',
    });
    expect(w.card.pinTriesLeft).toBe(3);
  });
});
