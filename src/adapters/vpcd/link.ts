/**
 * The virtual-card side of vsmartcard's vpcd protocol: we are the TCP client, pcscd's vpcd
 * driver listens (35963 for reader "Virtual PCD 00 00", 35964 for "Virtual PCD 00 01").
 * Every message is a 2-byte big-endian length then the payload; a 1-byte payload is a
 * control message (0 power off, 1 power on, 2 reset, 4 ATR request), anything longer an APDU.
 * While the connection stands, the reader holds a card: closing it is pulling the card out.
 */
import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';
import type { VirtualCard } from '../../emulator/virtual-card.ts';

export const VPCD_PORTS = { 'Virtual PCD 00 00': 35963, 'Virtual PCD 00 01': 35964 } as const;
export const VPCD_DEFAULT_PORT = 35963;

const CTRL_OFF = 0;
const CTRL_ON = 1;
const CTRL_RESET = 2;
const CTRL_ATR = 4;

export interface VpcdOptions {
  host?: string;
  port?: number;
  /** Fault injection: return true to drop the connection instead of answering this APDU (card pulled out mid-read). */
  dropBeforeResponse?: (apduCount: number, apdu: Uint8Array) => boolean;
}

export interface VpcdClose {
  /** True when pcscd (or the network) ended the link, false when we closed it or dropped it on purpose. */
  byPeer: boolean;
  error: Error | null;
}

/** Frames one payload: 2-byte big-endian length, then the bytes. */
export function frame(payload: Uint8Array): Buffer {
  if (payload.length > 0xffff) throw new RangeError('vpcd messages carry at most 65535 bytes');
  const out = Buffer.alloc(2 + payload.length);
  out.writeUInt16BE(payload.length, 0);
  out.set(payload, 2);
  return out;
}

/** Splits a byte stream into vpcd messages, across partial reads and several frames per chunk. */
export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Uint8Array): Uint8Array[] {
    this.buf = this.buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buf, chunk]);
    const out: Uint8Array[] = [];
    while (this.buf.length >= 2) {
      const n = this.buf.readUInt16BE(0);
      if (this.buf.length < 2 + n) break;
      out.push(new Uint8Array(this.buf.subarray(2, 2 + n)));
      this.buf = this.buf.subarray(2 + n);
    }
    return out;
  }
}

export class VpcdLink extends EventEmitter {
  /** APDUs received from pcscd (control messages not counted). */
  apduCount = 0;
  /** Settles once, when the link is gone for whatever reason. */
  readonly closed: Promise<VpcdClose>;
  private open = true;
  private closing = false;
  private resolveClosed!: (c: VpcdClose) => void;
  private readonly reader = new FrameReader();

  constructor(
    private readonly socket: Socket,
    private readonly card: VirtualCard,
    private readonly opts: VpcdOptions,
  ) {
    super();
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    socket.setNoDelay(true);
    let error: Error | null = null;
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e) => (error = e));
    socket.on('close', () => {
      this.open = false;
      this.card.powerOff();
      const c: VpcdClose = { byPeer: !this.closing, error };
      this.resolveClosed(c);
      this.emit('close', c);
    });
  }

  get isOpen(): boolean {
    return this.open;
  }

  /** Removes the card from the reader. */
  async close(): Promise<void> {
    if (this.open) {
      this.closing = true;
      this.socket.end();
      // A peer that does not answer our FIN must not keep the card in the reader.
      const timer = setTimeout(() => this.socket.destroy(), 1000);
      await this.closed;
      clearTimeout(timer);
    } else {
      await this.closed;
    }
  }

  private onData(chunk: Buffer): void {
    for (const msg of this.reader.push(chunk)) {
      if (!this.open || this.socket.destroyed) return;
      if (msg.length === 1) this.control(msg[0]!);
      else if (msg.length > 1) this.apdu(msg);
    }
  }

  private control(code: number): void {
    switch (code) {
      case CTRL_OFF:
        this.card.powerOff();
        break;
      case CTRL_ON:
        this.card.powerOn();
        break;
      case CTRL_RESET:
        this.card.reset();
        break;
      case CTRL_ATR:
        this.socket.write(frame(this.card.atr));
        break;
      default:
      // Unknown control codes carry nothing to answer.
    }
  }

  private apdu(apdu: Uint8Array): void {
    this.apduCount++;
    if (this.opts.dropBeforeResponse?.(this.apduCount, apdu)) {
      this.closing = true;
      this.socket.destroy();
      return;
    }
    let response: Uint8Array;
    try {
      response = this.card.process(apdu);
    } catch {
      response = Uint8Array.of(0x6f, 0x00);
    }
    this.socket.write(frame(response));
  }
}

/**
 * Inserts `card` into pcscd's virtual reader on `port`. Rejects when vpcd is not listening.
 * Reconnecting is the caller's choice: inserting again is a new connectVpcd.
 */
export function connectVpcd(card: VirtualCard, opts: VpcdOptions = {}): Promise<VpcdLink> {
  const host = opts.host ?? 'localhost';
  const port = opts.port ?? VPCD_DEFAULT_PORT;
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const fail = (e: Error) => reject(e);
    socket.once('error', fail);
    socket.once('connect', () => {
      socket.off('error', fail);
      resolve(new VpcdLink(socket, card, opts));
    });
  });
}
