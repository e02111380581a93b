/**
 * Finding the insured card (src/app/card-readers.ts, read-insured.ts) over the mock
 * `pcsclite`: in whichever reader it is, never the professional key instead, and the right
 * error when the wait ends; a PIN that cannot be right never reaches the card.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import pcsclite, { mockPcsc } from '../../native-mocks/pcsclite/index.ts';
import { PcscService } from '../../src/adapters/pcsc/service.ts';
import { loadTrustDirectory } from '../../src/adapters/keys.ts';
import { encodeResponse, SW } from '../../src/core/apdu.ts';
import { fromHex } from '../../src/core/bytes.ts';
import { listReaders, waitForApplication } from '../../src/app/card-readers.ts';
import { readInsuredCard, type ReadRequest } from '../../src/app/read-insured.ts';
import { loadVirtualCard } from '../../src/emulator/document.ts';
import type { InsuredCardEmulator } from '../../src/emulator/insured-card.ts';
import type { ProfessionalKeyEmulator } from '../../src/emulator/professional-key.ts';
import type { VirtualCard } from '../../src/emulator/virtual-card.ts';

const REPO = join(import.meta.dirname, '../..');
const TRUST_DIR = join(REPO, 'data/demo/keys/issuer');
const trust = loadTrustDirectory(TRUST_DIR);
const R0 = 'Virtual PCD 00 00';
const R1 = 'Virtual PCD 00 01';
const TODAY = '2026-06-15';

/** A demo card or key; both emulators count APDUs and PIN tries alike. */
const card = async (name: string) =>
  (await loadVirtualCard(join(REPO, 'data/demo/cards', `${name}.json`), { trustDir: TRUST_DIR })) as InsuredCardEmulator | ProfessionalKeyEmulator;

/** A card of another kind (a bank card, say): no Chifa application answers SELECT. */
class ForeignCard implements VirtualCard {
  readonly atr = fromHex('3B6800000073C84013009000');
  apdus: string[] = [];
  powerOn(): void {}
  powerOff(): void {}
  reset(): void {}
  process(apdu: Uint8Array): Uint8Array {
    this.apdus.push(Buffer.from(apdu).toString('hex'));
    return encodeResponse({ data: new Uint8Array(0), sw: apdu[1] === 0xa4 ? SW.FILE_NOT_FOUND : SW.INS_NOT_SUPPORTED });
  }
}

const services: PcscService[] = [];
async function service(settle = true): Promise<PcscService> {
  const s = new PcscService(pcsclite, 30).start();
  services.push(s);
  if (settle) await s.settled();
  return s;
}

const req = (over: Partial<ReadRequest> = {}): ReadRequest => ({ waitMs: 300, trust, today: TODAY, ...over });

async function timed<T>(p: Promise<T>): Promise<{ ms: number; value?: T; error?: { code?: string; message?: string } }> {
  const t0 = Date.now();
  try {
    const value = await p;
    return { ms: Date.now() - t0, value };
  } catch (e) {
    return { ms: Date.now() - t0, error: e as { code?: string } };
  }
}

beforeEach(() => mockPcsc.reset({ readers: [R0, R1] }));
afterEach(() => {
  for (const s of services.splice(0)) s.close();
  mockPcsc.reset();
});

describe('finding the insured card', () => {
  it.each([
    [R0, R1],
    [R1, R0],
  ])('finds it in %s with the pharmacist key in %s, and reads that card', async (cardReader, keyReader) => {
    const insured = await card('family');
    const key = await card('pharmacist');
    mockPcsc.insertCard(keyReader, key);
    mockPcsc.insertCard(cardReader, insured);
    const s = await service();
    expect(await waitForApplication(s, 'insured', { waitMs: 300 })).toBe(cardReader);
    const before = key.apduCount;
    const r = await readInsuredCard(s, req());
    expect(r.data.card.serial).toBe('00A1B2C3D4E5F601');
    expect(r.data.history).toBeNull();
    // At most, the key was asked which application it holds (two SELECTs), nothing more.
    expect(key.apduCount - before).toBeLessThanOrEqual(2);
  });

  it('never takes the professional key for the insured card: with only the key, no-card when the wait ends', async () => {
    const key = await card('pharmacist');
    mockPcsc.insertCard(R0, key);
    const s = await service();
    const r = await timed(readInsuredCard(s, req({ waitMs: 400 })));
    expect(r.error).toMatchObject({ code: 'no-card' });
    expect(r.ms).toBeGreaterThanOrEqual(380);
    // Probed once for the whole wait, not once per poll.
    expect(key.apduCount).toBeLessThanOrEqual(2);
  });

  it('a card inserted during the wait is found and read', async () => {
    const s = await service();
    const insured = await card('individual');
    setTimeout(() => mockPcsc.insertCard(R1, insured), 150);
    const r = await timed(readInsuredCard(s, req({ waitMs: 3000 })));
    expect(r.error).toBeUndefined();
    expect(r.value?.data.card.type).toBe('individual');
    expect(r.ms).toBeLessThan(2500);
  });

  it('a foreign card swapped for the insured card during the wait: the new card is read', async () => {
    const foreign = new ForeignCard();
    mockPcsc.insertCard(R0, foreign);
    const s = await service();
    const insured = await card('family');
    // A person's hands: the card is out for a moment before the other goes in.
    setTimeout(() => mockPcsc.removeCard(R0), 150);
    setTimeout(() => mockPcsc.insertCard(R0, insured), 300);
    const r = await readInsuredCard(s, req({ waitMs: 3000 }));
    expect(r.data.holder.nss).toBe('501234567890');
  });

  it('--reader naming the reader of a professional key: not-a-chifa-card at once, not after the wait', async () => {
    mockPcsc.insertCard(R0, await card('family'));
    mockPcsc.insertCard(R1, await card('physician'));
    const s = await service();
    const r = await timed(readInsuredCard(s, req({ reader: R1, waitMs: 5000 })));
    expect(r.error).toMatchObject({ code: 'not-a-chifa-card' });
    expect(r.ms).toBeLessThan(1500);
  });

  it('--reader naming the reader of the insured card reads it, whatever the other reader holds', async () => {
    mockPcsc.insertCard(R0, await card('family'));
    mockPcsc.insertCard(R1, await card('individual'));
    const s = await service();
    expect((await readInsuredCard(s, req({ reader: R1 }))).data.card.serial).toBe('00A1B2C3D4E5F702');
    expect((await readInsuredCard(s, req({ reader: R0 }))).data.card.serial).toBe('00A1B2C3D4E5F601');
  });

  it('--reader naming a reader that does not exist: no-reader', async () => {
    mockPcsc.insertCard(R0, await card('family'));
    const s = await service();
    await expect(readInsuredCard(s, req({ reader: 'No Such Reader 00 00' }))).rejects.toMatchObject({ code: 'no-reader' });
  });

  it('only a foreign card: not-a-chifa-card once the wait ended', async () => {
    const foreign = new ForeignCard();
    mockPcsc.insertCard(R1, foreign);
    const s = await service();
    const r = await timed(readInsuredCard(s, req({ waitMs: 400 })));
    expect(r.error).toMatchObject({ code: 'not-a-chifa-card' });
    expect(r.ms).toBeGreaterThanOrEqual(380);
    // Both applications were asked for, and nothing else was sent.
    expect(foreign.apdus.every((a) => a.startsWith('00a4040c'))).toBe(true);
    expect(foreign.apdus.length).toBeGreaterThanOrEqual(2);
    expect((await listReaders(s)).find((r) => r.name === R1)?.card).toMatchObject({ application: null, atr: '3b6800000073c84013009000' });
  });

  it('empty readers: no-card once the wait ended', async () => {
    const s = await service();
    const r = await timed(readInsuredCard(s, req({ waitMs: 300 })));
    expect(r.error).toMatchObject({ code: 'no-card' });
    expect(r.ms).toBeGreaterThanOrEqual(280);
  });

  it('no reader at all: no-reader', async () => {
    mockPcsc.reset();
    const s = await service();
    await expect(readInsuredCard(s, req({ waitMs: 200 }))).rejects.toMatchObject({ code: 'no-reader' });
  });

  it('PC/SC service down: no-reader (readers and card read)', async () => {
    mockPcsc.insertCard(R0, await card('family'));
    mockPcsc.stopService();
    const s = await service(false);
    await expect(readInsuredCard(s, req({ waitMs: 200 }))).rejects.toMatchObject({ code: 'no-reader' });
    await expect(listReaders(s)).rejects.toMatchObject({ code: 'no-reader' });
  });
});

describe('PINs that cannot be right never reach the card', () => {
  it.each([
    { pin: '12' },
    { pin: '123456789' },
    { pin: '12a4' },
    { pin: ' 1234' },
    { pin: '' },
    { psPin: '1' },
    { psPin: '１２３４' },
    { psReader: R1 },
  ])('%o → invalid-input, nothing sent', async (bad) => {
    const insured = await card('family');
    const key = await card('pharmacist');
    mockPcsc.insertCard(R0, insured);
    mockPcsc.insertCard(R1, key);
    const s = await service();
    const before = { card: insured.apduCount, key: key.apduCount };
    const err = await readInsuredCard(s, req(bad)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'invalid-input' });
    expect({ card: insured.apduCount, key: key.apduCount }).toEqual(before);
    expect(insured.pinTriesLeft).toBe(3);
    expect(key.pinTriesLeft).toBe(3);
    expect(mockPcsc.connections(R0)).toBe(0);
  });

  it('a well-formed wrong PIN does reach the card: wrong-pin, one try spent', async () => {
    const insured = await card('family');
    mockPcsc.insertCard(R0, insured);
    const s = await service();
    const err = await readInsuredCard(s, req({ pin: '9999' })).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'wrong-pin' });
    expect(insured.pinTriesLeft).toBe(2);
  });

  it('the right PINs read the emergency data and the history', async () => {
    mockPcsc.insertCard(R0, await card('family'));
    mockPcsc.insertCard(R1, await card('pharmacist'));
    const s = await service();
    const r = await readInsuredCard(s, req({ pin: '1234', psPin: '1234' }));
    expect(r.data.emergency?.bloodGroup).toBe('O+');
    expect(r.data.history).toEqual([
      { date: '2026-11-28', pharmacy: 'PH-TEST-0001', beneficiary: 0, claimId: '7d444840-9dc0-11d1-b245-5ffdce74fad2', total: 89900, fund: 31300, items: 1 },
    ]);
    // Both connections were closed after the sensitive read.
    expect(mockPcsc.connections(R0)).toBe(0);
    expect(mockPcsc.connections(R1)).toBe(0);
  });
});
