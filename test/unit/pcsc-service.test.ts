/**
 * PcscService over the mock `pcsclite` module: readers and cards as a user plugs them in
 * and out, pcscd stopping and coming back, SHARED access alongside another program.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import pcsclite, { mockPcsc } from '../../native-mocks/pcsclite/index.ts';
import { PcscService, type PcscServiceEvents } from '../../src/adapters/pcsc/service.ts';
import { hex } from '../../src/core/bytes.ts';
import { select } from '../../src/core/card/commands.ts';
import { encodeCommand } from '../../src/core/apdu.ts';
import { INSURED_AID } from '../../src/core/card/profile.ts';
import { loadTrustDirectory } from '../../src/adapters/keys.ts';
import { listReaders } from '../../src/app/card-readers.ts';
import { readInsuredCard } from '../../src/app/read-insured.ts';
import { loadVirtualCard } from '../../src/emulator/document.ts';
import type { InsuredCardEmulator } from '../../src/emulator/insured-card.ts';
import type { ProfessionalKeyEmulator } from '../../src/emulator/professional-key.ts';
import type { PcscConnection } from '../../src/adapters/pcsc/connection.ts';

const REPO = join(import.meta.dirname, '../..');
const TRUST_DIR = join(REPO, 'data/demo/keys/issuer');
const trust = loadTrustDirectory(TRUST_DIR);
const R0 = 'Virtual PCD 00 00';
const R1 = 'Virtual PCD 00 01';
const R2 = 'Gemalto USB SmartCard Reader 00 00';

const insured = async (name = 'family') =>
  (await loadVirtualCard(join(REPO, 'data/demo/cards', `${name}.json`), { trustDir: TRUST_DIR })) as InsuredCardEmulator;
const professional = async () =>
  (await loadVirtualCard(join(REPO, 'data/demo/cards/pharmacist.json'), { trustDir: TRUST_DIR })) as ProfessionalKeyEmulator;

const services: PcscService[] = [];
function service(retryMs = 40): PcscService {
  const s = new PcscService(pcsclite, retryMs).start();
  services.push(s);
  return s;
}

type EventName = keyof PcscServiceEvents;

/** Records every event of a service, in order, as `name:arg`. */
function record(s: PcscService): string[] {
  const log: string[] = [];
  for (const name of ['change', 'card-inserted', 'card-removed', 'reader-added', 'reader-removed', 'service'] as EventName[]) {
    s.on(name, (...args: unknown[]) => log.push(args.length ? `${name}:${String(args[0])}` : name));
  }
  return log;
}

/** The first `event` whose argument satisfies `match`, or a rejection after `ms`. */
function next<E extends EventName>(s: PcscService, event: E, match: (...args: PcscServiceEvents[E]) => boolean = () => true, ms = 2000): Promise<PcscServiceEvents[E]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      s.off(event, on as never);
      reject(new Error(`no ${event} within ${ms} ms`));
    }, ms);
    const on = (...args: PcscServiceEvents[E]) => {
      if (!match(...args)) return;
      clearTimeout(timer);
      s.off(event, on as never);
      resolve(args);
    };
    s.on(event, on as never);
  });
}

async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const names = (s: PcscService) => s.readers().map((r) => r.name);
const SELECT_INSURED = encodeCommand(select(INSURED_AID));

beforeEach(() => mockPcsc.reset());
afterEach(() => {
  for (const s of services.splice(0)) s.close();
  mockPcsc.reset();
});

describe('PcscService: readers and cards', () => {
  it('lists every reader with whether it holds a card and the card\'s ATR', async () => {
    mockPcsc.reset({ readers: [R0, R1, R2] });
    const card = await insured();
    const key = await professional();
    mockPcsc.insertCard(R0, card);
    mockPcsc.insertCard(R2, key);
    const s = service();
    expect(await s.settled()).toBe(true);
    expect(s.up).toBe(true);
    const byName = Object.fromEntries(s.readers().map((r) => [r.name, r]));
    expect(Object.keys(byName).sort()).toEqual([R0, R1, R2].sort());
    expect(byName[R0]).toMatchObject({ present: true });
    expect(hex(byName[R0]!.atr!)).toBe(hex(card.atr));
    expect(byName[R1]).toEqual({ name: R1, present: false, atr: null });
    expect(hex(byName[R2]!.atr!)).toBe(hex(key.atr));

    const listing = await listReaders(s);
    expect(listing.map((r) => [r.name, r.card?.application ?? 'empty']).sort()).toEqual(
      [
        [R0, 'insured'],
        [R1, 'empty'],
        [R2, 'professional'],
      ].sort(),
    );
  });

  it('settles at once with zero readers: up, nothing listed', async () => {
    const s = service();
    const t0 = Date.now();
    expect(await s.settled(1500)).toBe(true);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(s.up).toBe(true);
    expect(s.readers()).toEqual([]);
    expect(await listReaders(s)).toEqual([]);
  });

  it('a reader plugged in later appears; unplugged, it disappears (its card reported removed first)', async () => {
    mockPcsc.reset({ readers: [R0] });
    const s = service();
    await s.settled();
    const log = record(s);

    const added = next(s, 'reader-added', (n) => n === R1);
    const changed = next(s, 'change');
    mockPcsc.addReader(R1);
    await added;
    await changed;
    await s.settled();
    expect(names(s).sort()).toEqual([R0, R1].sort());

    const inserted = next(s, 'card-inserted', (n) => n === R1);
    mockPcsc.insertCard(R1, await insured());
    await inserted;
    expect(s.readers().find((r) => r.name === R1)?.present).toBe(true);

    const removed = next(s, 'reader-removed', (n) => n === R1);
    mockPcsc.removeReader(R1);
    await removed;
    expect(names(s)).toEqual([R0]);
    expect(s.reader(R1)).toBeNull();
    // The card left with its reader: said before the reader itself went.
    const cardGone = log.indexOf(`card-removed:${R1}`);
    expect(cardGone).toBeGreaterThanOrEqual(0);
    expect(cardGone).toBeLessThan(log.indexOf(`reader-removed:${R1}`));
    await expect(s.connect(R1)).rejects.toMatchObject({ code: 'no-reader' });
  });

  it('reports a card inserted and removed, with its ATR while present', async () => {
    mockPcsc.reset({ readers: [R0, R1] });
    const s = service();
    await s.settled();
    const log = record(s);
    const card = await insured('individual');

    const inserted = next(s, 'card-inserted');
    mockPcsc.insertCard(R1, card);
    expect(await inserted).toEqual([R1]);
    const r1 = () => s.readers().find((r) => r.name === R1)!;
    expect(r1().present).toBe(true);
    expect(hex(r1().atr!)).toBe(hex(card.atr));
    expect(s.readers().find((r) => r.name === R0)?.present).toBe(false);

    const removed = next(s, 'card-removed');
    mockPcsc.removeCard(R1);
    expect(await removed).toEqual([R1]);
    expect(r1()).toEqual({ name: R1, present: false, atr: null });
    expect(log.filter((e) => e.startsWith('card-'))).toEqual([`card-inserted:${R1}`, `card-removed:${R1}`]);
  });

  it('pcscd stopped: service down, readers gone; started again: the same service comes back and reads', async () => {
    mockPcsc.reset({ readers: [R0, R1] });
    mockPcsc.insertCard(R0, await insured());
    const s = service(30);
    await s.settled();
    expect(s.up).toBe(true);
    const log = record(s);

    const down = next(s, 'service', (up) => up === false);
    mockPcsc.stopService();
    await down;
    await until(() => s.readers().length === 0);
    expect(s.up).toBe(false);
    expect(log).toContain(`reader-removed:${R0}`);
    expect(log).toContain(`reader-removed:${R1}`);
    expect(log).toContain(`card-removed:${R0}`);
    await expect(listReaders(s)).rejects.toMatchObject({ code: 'no-reader' });
    // While it is down, the service keeps trying and stays down.
    await new Promise((r) => setTimeout(r, 120));
    expect(s.up).toBe(false);

    const back = next(s, 'service', (up) => up === true);
    mockPcsc.startService();
    await back;
    await s.settled();
    expect(names(s).sort()).toEqual([R0, R1].sort());
    expect(s.readers().find((r) => r.name === R0)?.present).toBe(true);
    const result = await readInsuredCard(s, { waitMs: 2000, trust });
    expect(result.data.card.serial).toBe('00A1B2C3D4E5F601');
    expect(result.data.signature.status).toBe('valid');
  });

  it('comes up by itself when started while pcscd is down', async () => {
    mockPcsc.reset({ readers: [R0] });
    mockPcsc.insertCard(R0, await insured());
    mockPcsc.stopService();
    const s = service(30);
    expect(await s.settled(150)).toBe(false);
    expect(s.up).toBe(false);
    expect(s.lastError).toMatch(/Service not available/);
    mockPcsc.startService();
    await next(s, 'service', (up) => up);
    await s.settled();
    expect(names(s)).toEqual([R0]);
    expect((await readInsuredCard(s, { waitMs: 1000, trust })).data.holder.nss).toBe('501234567890');
  });

  it('opens the card SHARED: two programs hold connections to one card and both transmit', async () => {
    mockPcsc.reset({ readers: [R0] });
    const card = await insured();
    mockPcsc.insertCard(R0, card);
    const a = service();
    const b = service();
    await Promise.all([a.settled(), b.settled()]);
    const conns: PcscConnection[] = [];
    try {
      conns.push(await a.connect(R0));
      conns.push(await b.connect(R0));
      expect(mockPcsc.connections(R0)).toBe(2);
      const before = card.apduCount;
      const answers = await Promise.all(conns.map((c) => c.transmit(SELECT_INSURED)));
      expect(answers.map((r) => hex(r))).toEqual(['9000', '9000']);
      // And in turns, on the same card.
      expect(hex(await conns[0]!.transmit(SELECT_INSURED))).toBe('9000');
      expect(hex(await conns[1]!.transmit(SELECT_INSURED))).toBe('9000');
      expect(card.apduCount - before).toBe(4);
    } finally {
      for (const c of conns) await c.close();
    }
    expect(mockPcsc.connections(R0)).toBe(0);
  });

  it('reads while another program keeps a connection open on the card', async () => {
    mockPcsc.reset({ readers: [R0] });
    mockPcsc.insertCard(R0, await insured());
    const other = service();
    const s = service();
    await Promise.all([other.settled(), s.settled()]);
    const held = await other.connect(R0);
    try {
      const result = await readInsuredCard(s, { waitMs: 1000, trust });
      expect(result.data.holder.surname).toBe('BENALI');
      // The other program's connection is still good.
      expect(hex(await held.transmit(SELECT_INSURED))).toBe('9000');
    } finally {
      await held.close();
    }
  });
});
