/** The vpcd link against a fake vpcd (the TCP server side pcscd's driver plays), in process. */
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fromHex, hex } from '../../src/core/bytes.ts';
import { connectVpcd, frame, FrameReader, type VpcdLink } from '../../src/adapters/vpcd/link.ts';
import type { VirtualCard } from '../../src/emulator/virtual-card.ts';

/** A card that records what happened to it and echoes APDUs with 90 00. */
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
    this.log.push('apdu ' + hex(apdu, true));
    const out = new Uint8Array(apdu.length + 2);
    out.set(apdu, 0);
    out.set([0x90, 0x00], apdu.length);
    return out;
  }
}

/** The vpcd side: accepts one card, sends framed messages, collects framed answers. */
class FakeVpcd {
  server!: Server;
  port = 0;
  socket: Socket | null = null;
  private reader = new FrameReader();
  private waiting: Array<(m: Uint8Array) => void> = [];
  private queue: Uint8Array[] = [];
  connected!: Promise<Socket>;

  async start(): Promise<void> {
    let onConn!: (s: Socket) => void;
    this.connected = new Promise((r) => (onConn = r));
    this.server = createServer((s) => {
      this.socket = s;
      s.on('data', (chunk) => {
        for (const m of this.reader.push(chunk)) {
          const w = this.waiting.shift();
          if (w) w(m);
          else this.queue.push(m);
        }
      });
      s.on('error', () => {});
      onConn(s);
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as { port: number }).port;
  }

  next(): Promise<Uint8Array> {
    const m = this.queue.shift();
    if (m) return Promise.resolve(m);
    return new Promise((r) => this.waiting.push(r));
  }

  send(...payloads: Uint8Array[]): void {
    this.socket!.write(Buffer.concat(payloads.map((p) => frame(p))));
  }

  async stop(): Promise<void> {
    this.socket?.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

let vpcd: FakeVpcd;
let link: VpcdLink | null = null;

afterEach(async () => {
  await link?.close();
  link = null;
  await vpcd?.stop();
});

async function setup(opts: Parameters<typeof connectVpcd>[1] = {}) {
  vpcd = new FakeVpcd();
  await vpcd.start();
  const card = new EchoCard();
  link = await connectVpcd(card, { host: '127.0.0.1', port: vpcd.port, ...opts });
  await vpcd.connected;
  return card;
}

describe('vpcd framing', () => {
  it('frames with a 2-byte big-endian length', () => {
    expect(hex(frame(fromHex('00A4')), true)).toBe('000200A4');
    expect(hex(frame(new Uint8Array(300)).subarray(0, 2), true)).toBe('012C');
  });

  it('reassembles partial frames and splits several in one chunk', () => {
    const r = new FrameReader();
    expect(r.push(fromHex('00'))).toEqual([]);
    expect(r.push(fromHex('0301'))).toEqual([]);
    expect(r.push(fromHex('0203'))).toEqual([fromHex('010203')]);
    expect(r.push(fromHex('000104000200'))).toEqual([fromHex('04')]);
    expect(r.push(fromHex('A4'))).toEqual([fromHex('00A4')]);
  });
});

describe('vpcd link', () => {
  it('answers the ATR request and the control messages', async () => {
    const card = await setup();
    vpcd.send(Uint8Array.of(1), Uint8Array.of(4));
    expect(hex(await vpcd.next(), true)).toBe(hex(card.atr, true));
    vpcd.send(Uint8Array.of(2), Uint8Array.of(0), Uint8Array.of(4));
    await vpcd.next();
    expect(card.log).toEqual(['on', 'reset', 'off']);
  });

  it('answers each APDU with the framed response, also when frames arrive split byte by byte', async () => {
    const card = await setup();
    const bytes = Buffer.concat([frame(fromHex('00A4040C07F0434849464101')), frame(fromHex('00B0810000'))]);
    for (const b of bytes) {
      vpcd.socket!.write(Uint8Array.of(b));
      await new Promise((r) => setImmediate(r));
    }
    expect(hex(await vpcd.next(), true)).toBe('00A4040C07F04348494641019000');
    expect(hex(await vpcd.next(), true)).toBe('00B08100009000');
    expect(link!.apduCount).toBe(2);
    expect(card.log).toEqual(['apdu 00A4040C07F0434849464101', 'apdu 00B0810000']);
  });

  it('dropBeforeResponse destroys the link instead of answering (card pulled out mid-read)', async () => {
    const seen: number[] = [];
    const card = await setup({ dropBeforeResponse: (n) => (seen.push(n), n === 2) });
    const serverSawEnd = new Promise<void>((r) => vpcd.socket!.on('close', () => r()));
    vpcd.send(fromHex('00B0810000'));
    expect(hex(await vpcd.next(), true)).toBe('00B08100009000');
    vpcd.send(fromHex('00B0820000'));
    const c = await link!.closed;
    expect(c.byPeer).toBe(false);
    await serverSawEnd;
    expect(seen).toEqual([1, 2]);
    expect(card.log).toEqual(['apdu 00B0810000', 'off']);
    expect(link!.isOpen).toBe(false);
  });

  it('reports a link closed by pcscd, and the card is powered off', async () => {
    const card = await setup();
    const closed = new Promise((r) => link!.once('close', r));
    vpcd.socket!.destroy();
    expect(await closed).toMatchObject({ byPeer: true });
    expect((await link!.closed).byPeer).toBe(true);
    expect(card.log).toEqual(['off']);
  });

  it('close() removes the card: the server sees the end of the connection', async () => {
    await setup();
    const serverSawEnd = new Promise<void>((r) => vpcd.socket!.on('end', () => r()));
    await link!.close();
    await serverSawEnd;
    expect((await link!.closed).byPeer).toBe(false);
    await link!.close(); // twice is harmless
  });

  it('rejects when nothing listens', async () => {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as { port: number }).port;
    await new Promise<void>((r) => s.close(() => r()));
    vpcd = new FakeVpcd();
    await vpcd.start();
    await expect(connectVpcd(new EchoCard(), { host: '127.0.0.1', port })).rejects.toThrow(/ECONNREFUSED/);
  });
});
