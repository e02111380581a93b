/** native-mocks/pcsclite: the fake `pcsclite` module behaves like the binding over pcscd. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import pcsclite, { mockPcsc, SCARD, type MockCardReader, type MockPCSCLite } from '../../native-mocks/pcsclite/index.ts';
import { fromHex, hex } from '../../src/core/bytes.ts';
import { pcscCode, toChifaError } from '../../src/adapters/pcsc/errors.ts';
import type { VirtualCard } from '../../src/emulator/virtual-card.ts';

const R0 = 'Virtual PCD 00 00';
const R1 = 'Virtual PCD 00 01';

class EchoCard implements VirtualCard {
  readonly atr = fromHex('3B8680014348494641014B');
  log: string[] = [];
  powerOn(): void {
    this.log.push('on');
  }
  powerOff(): void {
    this.log.push('off');
  }
  reset(): void {
    this.log.push('reset');
  }
  process(apdu: Uint8Array): Uint8Array {
    return Uint8Array.from([...apdu.subarray(0, 2), 0x90, 0x00]);
  }
}

const contexts: MockPCSCLite[] = [];
function context(): MockPCSCLite {
  const p = pcsclite();
  contexts.push(p);
  return p;
}

function readers(p: MockPCSCLite, n: number): Promise<MockCardReader[]> {
  const out: MockCardReader[] = [];
  return new Promise((resolve) =>
    p.on('reader', (r: MockCardReader) => {
      out.push(r);
      if (out.length === n) resolve(out);
    }),
  );
}

const nextStatus = (r: MockCardReader) => new Promise<{ state: number; atr?: Buffer }>((res) => r.once('status', res));
const connect = (r: MockCardReader, opts: { share_mode?: number; protocol?: number } = { share_mode: SCARD.SCARD_SHARE_SHARED }) =>
  new Promise<number>((res, rej) => r.connect(opts, (err, proto) => (err ? rej(err) : res(proto!))));
const transmit = (r: MockCardReader, apdu: string, protocol: number, len = 258) =>
  new Promise<Buffer>((res, rej) => r.transmit(Buffer.from(apdu, 'hex'), len, protocol, (err, data) => (err ? rej(err) : res(data!))));
const disconnect = (r: MockCardReader, d: number = SCARD.SCARD_LEAVE_CARD) =>
  new Promise<void>((res, rej) => r.disconnect(d, (err) => (err ? rej(err) : res())));

beforeEach(() => mockPcsc.reset({ readers: [R0, R1] }));
afterEach(() => {
  for (const p of contexts.splice(0)) p.close();
  mockPcsc.reset();
});

describe('pcsclite mock', () => {
  it('has the binding constants with pcsclite.h values', async () => {
    const [r] = await readers(context(), 2);
    expect(r!.SCARD_STATE_PRESENT).toBe(0x20);
    expect(r!.SCARD_STATE_EMPTY).toBe(0x10);
    expect(r!.SCARD_STATE_CHANGED).toBe(0x02);
    expect(r!.SCARD_STATE_INUSE).toBe(0x100);
    expect(r!.SCARD_STATE_MUTE).toBe(0x200);
    expect(r!.SCARD_SHARE_SHARED).toBe(2);
    expect(r!.SCARD_SHARE_EXCLUSIVE).toBe(1);
    expect(r!.SCARD_PROTOCOL_T0).toBe(1);
    expect(r!.SCARD_PROTOCOL_T1).toBe(2);
    expect(r!.SCARD_LEAVE_CARD).toBe(0);
    expect(r!.SCARD_RESET_CARD).toBe(1);
    expect(r!.SCARD_UNPOWER_CARD).toBe(2);
  });

  it('announces readers, then their status; a card insertion and removal change it', async () => {
    const p = context();
    const [r0, r1] = await readers(p, 2);
    expect([r0!.name, r1!.name]).toEqual([R0, R1]);
    expect(Object.keys(p.readers)).toEqual([R0, R1]);
    const s0 = await nextStatus(r0!);
    expect(s0.state & SCARD.SCARD_STATE_EMPTY).toBeTruthy();
    expect(s0.state & SCARD.SCARD_STATE_CHANGED).toBeTruthy();
    expect(s0.atr).toEqual(Buffer.alloc(0));
    const card = new EchoCard();
    mockPcsc.insertCard(R0, card);
    const s1 = await nextStatus(r0!);
    expect(s1.state & SCARD.SCARD_STATE_PRESENT).toBeTruthy();
    expect(s1.atr!.equals(Buffer.from(card.atr))).toBe(true);
    expect(r0!.state).toBe(s1.state);
    mockPcsc.removeCard(R0);
    const s2 = await nextStatus(r0!);
    expect(s2.state & SCARD.SCARD_STATE_EMPTY).toBeTruthy();
    expect(card.log).toEqual(['on', 'off']);
  });

  it('connect, transmit with Buffers, disconnect', async () => {
    mockPcsc.insertCard(R0, new EchoCard());
    const [r0] = await readers(context(), 2);
    const proto = await connect(r0!);
    expect(proto).toBe(SCARD.SCARD_PROTOCOL_T1);
    expect(r0!.connected).toBe(true);
    const res = await transmit(r0!, '00A4040C', proto);
    expect(Buffer.isBuffer(res)).toBe(true);
    expect(res.toString('hex')).toBe('00a49000');
    await disconnect(r0!);
    expect(r0!.connected).toBe(false);
    await expect(new Promise((res, rej) => r0!.transmit(Buffer.from('00'), 2, 2, (e) => (e ? rej(e) : res(null))))).rejects.toThrow(
      'Card Reader not connected',
    );
  });

  it('errors carry the binding messages, mapped as for the real module', async () => {
    const [r0, r1] = await readers(context(), 2);
    await expect(connect(r1!)).rejects.toThrow('SCardConnect error: No smart card inserted.(0x8010000c)');
    mockPcsc.insertCard(R0, new EchoCard());
    const proto = await connect(r0!);
    mockPcsc.resetCard(R0);
    const reset = await transmit(r0!, '00B0810000', proto).catch((e: Error) => e);
    expect((reset as Error).message).toBe('SCardTransmit error: Card was reset.(0x80100068)');
    expect(toChifaError(reset, 'test').code).toBe('card-reset');
    // Still reset until the connection is made again.
    await expect(transmit(r0!, '00B0810000', proto)).rejects.toThrow('Card was reset.');
    await disconnect(r0!);
    await connect(r0!);
    expect((await transmit(r0!, '00B0810000', proto)).toString('hex')).toBe('00b09000');
    mockPcsc.removeCard(R0);
    const removed = await transmit(r0!, '00B0810000', proto).catch((e: Error) => e);
    expect((removed as Error).message).toBe('SCardTransmit error: Card was removed.(0x80100069)');
    expect(pcscCode(removed)).toBe(0x80100069);
    expect(toChifaError(removed, 'test').code).toBe('card-removed');
  });

  it('injects a failure on the next transmit only', async () => {
    mockPcsc.insertCard(R0, new EchoCard());
    const [r0] = await readers(context(), 2);
    const proto = await connect(r0!);
    mockPcsc.failNextTransmit(R0, 'SCARD_E_NOT_TRANSACTED');
    await expect(transmit(r0!, '00B0810000', proto)).rejects.toThrow('SCardTransmit error: Transaction failed.(0x80100016)');
    expect((await transmit(r0!, '00B0810000', proto)).toString('hex')).toBe('00b09000');
  });

  it('a card pulled out mid-APDU: an empty response, then "Transaction failed."', async () => {
    mockPcsc.insertCard(R0, new EchoCard());
    const [r0] = await readers(context(), 2);
    const proto = await connect(r0!);
    mockPcsc.pullCardDuringNextTransmit(R0);
    expect((await transmit(r0!, '00B0810000', proto)).length).toBe(0);
    expect(mockPcsc.cardIn(R0)).toBeNull();
    const e = await transmit(r0!, '00B0810000', proto).catch((x: Error) => x);
    expect((e as Error).message).toBe('SCardTransmit error: Transaction failed.(0x80100016)');
    expect(toChifaError(e, 'test').code).toBe('card-removed');
  });

  it('insufficient buffer and protocol mismatch', async () => {
    mockPcsc.insertCard(R0, new EchoCard());
    const [r0] = await readers(context(), 2);
    const proto = await connect(r0!);
    await expect(transmit(r0!, '00B0810000', proto, 3)).rejects.toThrow('Insufficient buffer.(0x80100008)');
    await expect(transmit(r0!, '00B0810000', SCARD.SCARD_PROTOCOL_T0)).rejects.toThrow('Card protocol mismatch.');
  });

  it('sharing: an exclusive connection keeps others out', async () => {
    mockPcsc.insertCard(R0, new EchoCard());
    const [a] = await readers(context(), 2);
    const [b] = await readers(context(), 2);
    await connect(a!, { share_mode: SCARD.SCARD_SHARE_EXCLUSIVE });
    await expect(connect(b!)).rejects.toThrow('SCardConnect error: Sharing violation.(0x8010000b)');
    await disconnect(a!);
    await connect(b!);
    expect(mockPcsc.connections(R0)).toBe(1);
  });

  it('disconnect with UNPOWER powers the card off; another connection then sees a reset', async () => {
    const card = new EchoCard();
    mockPcsc.insertCard(R0, card);
    const [a] = await readers(context(), 2);
    const [b] = await readers(context(), 2);
    const pa = await connect(a!);
    await connect(b!);
    await disconnect(b!, SCARD.SCARD_UNPOWER_CARD);
    await expect(transmit(a!, '00B0810000', pa)).rejects.toThrow('Card was reset.');
    await connect(b!);
    expect(card.log).toEqual(['on', 'off', 'on']);
  });

  it('the default disconnect disposition of the binding is UNPOWER', async () => {
    const card = new EchoCard();
    mockPcsc.insertCard(R0, card);
    const [a] = await readers(context(), 2);
    await connect(a!);
    await new Promise<void>((res) => a!.disconnect(() => res()));
    expect(card.log).toEqual(['on', 'off']);
  });

  it('stopService: contexts emit error, readers error then end; no new context until startService', async () => {
    mockPcsc.insertCard(R0, new EchoCard());
    const p = context();
    const [r0, r1] = await readers(p, 2);
    // As with the binding, a reader 'error' nobody listens to is an uncaught exception.
    r1!.on('error', () => {});
    await nextStatus(r0!);
    const proto = await connect(r0!);
    const ctxError = new Promise<Error>((res) => p.once('error', res));
    const readerError = new Promise<Error>((res) => r0!.once('error', res));
    const readerEnd = new Promise<void>((res) => r0!.once('end', () => res()));
    mockPcsc.stopService();
    expect((await ctxError).message).toBe('SCardGetStatusChange error: Service not available.(0x8010001d)');
    expect((await readerError).message).toMatch(/^SCardGetStatusChange error: Service not available/);
    await readerEnd;
    expect(p.readers[R0]).toBeUndefined();
    const failed = await transmit(r0!, '00B0810000', proto).catch((e: Error) => e);
    expect(toChifaError(failed, 'test').code).toBe('no-reader');
    expect(() => pcsclite()).toThrow('SCardEstablishContext error: Service not available.(0x8010001d)');
    mockPcsc.startService();
    const [again] = await readers(context(), 2);
    const s = await nextStatus(again!);
    expect(s.state & SCARD.SCARD_STATE_PRESENT).toBeTruthy();
    expect((await transmit(again!, '00A4', await connect(again!))).toString('hex')).toBe('00a49000');
  });

  it('reader plugged and unplugged: reader event, then end', async () => {
    const p = context();
    await readers(p, 2);
    const added = new Promise<MockCardReader>((res) => p.once('reader', res));
    mockPcsc.addReader('USB Token 00 00');
    const r = await added;
    expect(r.name).toBe('USB Token 00 00');
    const ended = new Promise<void>((res) => r.once('end', () => res()));
    mockPcsc.removeReader('USB Token 00 00');
    await ended;
    expect(Object.keys(p.readers)).toEqual([R0, R1]);
  });

  it('connected readers show INUSE in their status', async () => {
    mockPcsc.insertCard(R0, new EchoCard());
    const [r0] = await readers(context(), 2);
    await nextStatus(r0!);
    const inUse = nextStatus(r0!);
    await connect(r0!);
    expect((await inUse).state & SCARD.SCARD_STATE_INUSE).toBeTruthy();
  });

  it('reset() leaves a clean state', () => {
    mockPcsc.insertCard(R0, new EchoCard());
    mockPcsc.stopService();
    mockPcsc.reset();
    expect(mockPcsc.serviceRunning).toBe(true);
    expect(mockPcsc.readerNames()).toEqual([]);
    expect(hex(fromHex('00'))).toBe('00');
  });
});
