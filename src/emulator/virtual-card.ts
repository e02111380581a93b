/**
 * What every emulated card shares: the interface the transports (vpcd link, pcsclite mock,
 * tests) drive, the T=0-style transport faults, the holder-PIN state machine and the
 * transparent-file reading rules of card-profile.md §2. The applications themselves live in
 * insured-card.ts and professional-key.ts.
 *
 * Order of checks on every command, where the profile leaves it open (ISO 7816-4 order):
 * fewer than 4 bytes or not one of the four short cases `67 00`; CLA ≠ 00 `6E 00`;
 * GET RESPONSE (transport, never reaches the application); INS unknown to the card `6D 00`;
 * application not selected `69 85` (everything but SELECT); then the command's own shape
 * (`67 00`), P1-P2 (`6A 86` for a form the card does not have, `6B 00` for an offset past
 * the end), and the command itself.
 */
import { decodeCommand, encodeResponse, SW, type CommandApdu } from '../core/apdu.ts';
import { concat } from '../core/bytes.ts';

export interface VirtualCard {
  /** Answer to reset, served to the reader on power-on. */
  readonly atr: Uint8Array;
  powerOn(): void;
  powerOff(): void;
  /** Warm reset: as power-off then power-on for the card's state. */
  reset(): void;
  /** One command APDU in, its response (data then SW1 SW2) out. Never throws. */
  process(apdu: Uint8Array): Uint8Array;
}

export interface FaultOptions {
  /**
   * Answer every response with more than N data bytes as `61 XX` (no data) and serve the
   * data through GET RESPONSE in chunks of at most N; the last status word of the chain is
   * the real one (`62 82`, `90 00`…). 1..256.
   */
  chunked?: number;
  /** T=0 card behaviour: when Le differs from the data length, answer `6C XX` instead of data. */
  exactLe?: boolean;
  /** Called for every APDU received, with the running count (1 for the first). */
  onApdu?: (count: number, apdu: Uint8Array) => void;
}

/** Status words the core enum does not carry. */
export const SW_EXTRA = {
  /** 69 81: command incompatible with the file structure (READ BINARY of a record file…). */
  INCOMPATIBLE_FILE: 0x6981,
  /** 6A 86: P1-P2 name a form of the command this card does not have. */
  INCORRECT_P1P2: 0x6a86,
  /** 6F 00: the emulator itself failed (a bug), never a profile answer. */
  NO_DIAGNOSIS: 0x6f00,
} as const;

export interface Reply {
  data: Uint8Array;
  sw: number;
}

export const EMPTY = new Uint8Array(0);

export function reply(sw: number, data: Uint8Array = EMPTY): Reply {
  return { data, sw };
}

/**
 * ATR offering T=0 (default) and T=1 (`TD1 = 80`, `TD2 = 01`, the usual PC/SC shape), with
 * the given historical bytes and the TCK that T=1 requires.
 */
export function makeAtr(historical: Uint8Array): Uint8Array {
  if (historical.length > 15) throw new RangeError('at most 15 historical bytes');
  const body = concat(Uint8Array.of(0x80 | historical.length, 0x80, 0x01), historical);
  let tck = 0;
  for (const b of body) tck ^= b;
  return concat(Uint8Array.of(0x3b), body, Uint8Array.of(tck));
}

interface PendingChain {
  data: Uint8Array;
  sw: number;
}

/**
 * The transport half of an emulated card: APDU counter, CLA check, GET RESPONSE chaining
 * and `6C XX`. Subclasses implement `handle` (one decoded command of their application)
 * and `clearVolatileState` (what reset, power-off and power-on lose).
 */
export abstract class EmulatedCard implements VirtualCard {
  abstract readonly atr: Uint8Array;
  /** APDUs received since the card was made (GET RESPONSE and malformed ones included). */
  apduCount = 0;
  /** False after powerOff; informational, the card still answers (the reader guards power). */
  powered = true;
  private pending: PendingChain | null = null;
  private readonly chunk: number | null;

  protected constructor(protected readonly faults: FaultOptions = {}) {
    const n = faults.chunked;
    if (n !== undefined && (!Number.isInteger(n) || n < 1 || n > 256)) throw new RangeError('chunked must be 1..256');
    this.chunk = n ?? null;
  }

  powerOn(): void {
    this.powered = true;
    this.pending = null;
    this.clearVolatileState();
  }

  powerOff(): void {
    this.powered = false;
    this.pending = null;
    this.clearVolatileState();
  }

  reset(): void {
    this.powered = true;
    this.pending = null;
    this.clearVolatileState();
  }

  process(apdu: Uint8Array): Uint8Array {
    this.apduCount++;
    const copy = apdu.slice();
    this.faults.onApdu?.(this.apduCount, copy);
    let r: Reply;
    try {
      r = this.dispatch(copy);
    } catch {
      r = reply(SW_EXTRA.NO_DIAGNOSIS);
    }
    return encodeResponse(r);
  }

  /** The application's answer to one well-formed short APDU with CLA 00 (not GET RESPONSE). */
  protected abstract handle(cmd: CommandApdu): Reply;

  /** Forget selection and security state. */
  protected abstract clearVolatileState(): void;

  /**
   * Every APDU but GET RESPONSE reaches here before being decoded: a challenge dies on any
   * command in between (§5), malformed ones included.
   */
  protected beforeCommand(): void {}

  private dispatch(apdu: Uint8Array): Reply {
    const isGetResponse = apdu.length >= 2 && apdu[0] === 0x00 && apdu[1] === 0xc0;
    if (!isGetResponse) {
      this.pending = null;
      this.beforeCommand();
    }
    const cmd = decodeCommand(apdu);
    if (cmd === null) return reply(SW.WRONG_LENGTH);
    if (cmd.cla !== 0x00) return reply(SW.CLA_NOT_SUPPORTED);
    if (isGetResponse) return this.getResponse(cmd);
    return this.shape(cmd, this.handle(cmd));
  }

  /** Applies `6C XX` and `61 XX` to an application answer. */
  private shape(cmd: CommandApdu, r: Reply): Reply {
    if (r.data.length === 0) return r;
    if (this.faults.exactLe && cmd.le !== undefined && cmd.le !== r.data.length) {
      return reply(0x6c00 | (r.data.length & 0xff));
    }
    if (this.chunk !== null && r.data.length > this.chunk) {
      this.pending = { data: r.data, sw: r.sw };
      return reply(0x6100 | (Math.min(this.chunk, r.data.length) & 0xff));
    }
    return r;
  }

  private getResponse(cmd: CommandApdu): Reply {
    const p = this.pending;
    if (cmd.data !== undefined || cmd.le === undefined) return reply(SW.WRONG_LENGTH);
    if (cmd.p1 !== 0 || cmd.p2 !== 0) return reply(SW_EXTRA.INCORRECT_P1P2);
    // Nothing waiting: the card has no response to give.
    if (p === null) return reply(SW.CONDITIONS_NOT_SATISFIED);
    const max = this.chunk ?? 256;
    const n = Math.min(cmd.le, max, p.data.length);
    const out = p.data.slice(0, n);
    const rest = p.data.subarray(n);
    if (rest.length === 0) {
      this.pending = null;
      return reply(p.sw, out);
    }
    this.pending = { data: rest, sw: p.sw };
    return reply(0x6100 | (Math.min(max, rest.length) & 0xff), out);
  }
}

/** Holder or professional PIN: 3 tries, `63 C2`, `63 C1`, then `69 83` for ever. */
export class PinState {
  static readonly TRIES = 3;
  private tries = PinState.TRIES;
  verified = false;
  private readonly reference: Uint8Array;

  constructor(pin: string) {
    const formatted = formatPin(pin);
    if (formatted === null) throw new RangeError('a PIN is 4 to 8 digits');
    this.reference = formatted;
  }

  get triesLeft(): number {
    return this.tries;
  }

  get blocked(): boolean {
    return this.tries === 0;
  }

  /**
   * VERIFY `00 20 00 81 [08 PIN]`. A PIN block that is not 4–8 ASCII digits padded with FF
   * is refused `6A 80` without spending a try: the card cannot compare what is not a PIN,
   * and a terminal never sends one (card-profile.md §2).
   */
  verify(cmd: CommandApdu): Reply {
    if (cmd.le !== undefined) return reply(SW.WRONG_LENGTH);
    if (cmd.p1 !== 0x00 || cmd.p2 !== 0x81) return reply(SW_EXTRA.INCORRECT_P1P2);
    if (cmd.data === undefined) {
      if (this.blocked) return reply(SW.AUTH_METHOD_BLOCKED);
      return this.verified ? reply(SW.OK) : reply(0x63c0 | this.tries);
    }
    if (cmd.data.length !== 8) return reply(SW.WRONG_LENGTH);
    if (this.blocked) return reply(SW.AUTH_METHOD_BLOCKED);
    if (!isPinBlock(cmd.data)) return reply(SW.WRONG_DATA);
    if (equal(cmd.data, this.reference)) {
      this.tries = PinState.TRIES;
      this.verified = true;
      return reply(SW.OK);
    }
    this.verified = false;
    this.tries--;
    return this.tries === 0 ? reply(SW.AUTH_METHOD_BLOCKED) : reply(0x63c0 | this.tries);
  }
}

export function formatPin(pin: string): Uint8Array | null {
  if (!/^[0-9]{4,8}$/.test(pin)) return null;
  const out = new Uint8Array(8).fill(0xff);
  for (let i = 0; i < pin.length; i++) out[i] = pin.charCodeAt(i);
  return out;
}

function isPinBlock(b: Uint8Array): boolean {
  let digits = 0;
  while (digits < b.length && b[digits]! >= 0x30 && b[digits]! <= 0x39) digits++;
  if (digits < 4) return false;
  for (let i = digits; i < b.length; i++) if (b[i] !== 0xff) return false;
  return true;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A transparent file as stored: its bytes (template then padding) and who may read it. */
export interface TransparentFile {
  kind: 'transparent';
  bytes: Uint8Array;
  /** Asked on every read: access conditions depend on the security state of the moment. */
  readable: () => boolean;
}

export interface RecordFile {
  kind: 'records';
  readable: () => boolean;
}

export type CardFile = TransparentFile | RecordFile;

/**
 * READ BINARY (`00 B0`) over a card's files, with the current-file rule of §2: the by-SFI
 * form makes the file current (also when its access condition then refuses the read, as
 * ISO selection does), the other form reads the current file at a 15-bit offset.
 */
export class BinaryReader {
  private current: number | null = null;

  constructor(private readonly files: (sfi: number) => CardFile | null) {}

  clear(): void {
    this.current = null;
  }

  read(cmd: CommandApdu): Reply {
    if (cmd.data !== undefined || cmd.le === undefined) return reply(SW.WRONG_LENGTH);
    let sfi: number;
    let offset: number;
    if (cmd.p1 & 0x80) {
      // 100xxxxx: SFI in the low five bits; 0 would mean the current file, and bits 6-7 are RFU.
      if ((cmd.p1 & 0x60) !== 0 || (cmd.p1 & 0x1f) === 0) return reply(SW_EXTRA.INCORRECT_P1P2);
      sfi = cmd.p1 & 0x1f;
      offset = cmd.p2;
      const f = this.files(sfi);
      if (f === null) return reply(SW.FILE_NOT_FOUND);
      if (f.kind !== 'transparent') return reply(SW_EXTRA.INCOMPATIBLE_FILE);
      this.current = sfi;
    } else {
      if (this.current === null) return reply(SW.NO_CURRENT_EF);
      sfi = this.current;
      offset = (cmd.p1 << 8) | cmd.p2;
    }
    const f = this.files(sfi);
    if (f === null || f.kind !== 'transparent') return reply(SW.NO_CURRENT_EF);
    if (!f.readable()) return reply(SW.SECURITY_NOT_SATISFIED);
    // An offset at the very end addresses no byte: past the end, like any further one.
    if (offset >= f.bytes.length) return reply(SW.WRONG_P1P2);
    const data = f.bytes.slice(offset, offset + cmd.le);
    return reply(data.length < cmd.le ? SW.END_OF_FILE : SW.OK, data);
  }
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return equal(a, b);
}
