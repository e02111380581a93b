/**
 * A drop-in fake of the npm `pcsclite` module (node-pcsclite 1.0.1), driven by VirtualCard
 * instances instead of pcscd. Same factory, same events, same methods and constants, and
 * errors with the very messages the native binding writes (`SCardTransmit error: Card was
 * removed.(0x80100069)`), so the adapter's error mapping is the same for both.
 *
 * `mockPcsc` plays everything outside the program: readers plugged in and out, cards
 * inserted, removed or reset by another program, pcscd stopped and started.
 * Everything is asynchronous, as the binding's threads are; nothing holds the event loop.
 */
import { EventEmitter } from 'node:events';
import type { VirtualCard } from '../../src/emulator/virtual-card.ts';

/** pcsclite.h values. */
export const SCARD = {
  SCARD_SHARE_EXCLUSIVE: 0x0001,
  SCARD_SHARE_SHARED: 0x0002,
  SCARD_SHARE_DIRECT: 0x0003,
  SCARD_PROTOCOL_T0: 0x0001,
  SCARD_PROTOCOL_T1: 0x0002,
  SCARD_PROTOCOL_RAW: 0x0004,
  SCARD_STATE_UNAWARE: 0x0000,
  SCARD_STATE_IGNORE: 0x0001,
  SCARD_STATE_CHANGED: 0x0002,
  SCARD_STATE_UNKNOWN: 0x0004,
  SCARD_STATE_UNAVAILABLE: 0x0008,
  SCARD_STATE_EMPTY: 0x0010,
  SCARD_STATE_PRESENT: 0x0020,
  SCARD_STATE_ATRMATCH: 0x0040,
  SCARD_STATE_EXCLUSIVE: 0x0080,
  SCARD_STATE_INUSE: 0x0100,
  SCARD_STATE_MUTE: 0x0200,
  SCARD_LEAVE_CARD: 0x0000,
  SCARD_RESET_CARD: 0x0001,
  SCARD_UNPOWER_CARD: 0x0002,
  SCARD_EJECT_CARD: 0x0003,
} as const;

/** Return codes and their pcsc_stringify_error texts (pcsc-lite's error.c). */
export const PCSC_ERRORS = {
  SCARD_F_INTERNAL_ERROR: [0x80100001, 'Internal error.'],
  SCARD_E_INVALID_HANDLE: [0x80100003, 'Invalid handle.'],
  SCARD_E_INVALID_PARAMETER: [0x80100004, 'Invalid parameter given.'],
  SCARD_E_INSUFFICIENT_BUFFER: [0x80100008, 'Insufficient buffer.'],
  SCARD_E_UNKNOWN_READER: [0x80100009, 'Unknown reader specified.'],
  SCARD_E_TIMEOUT: [0x8010000a, 'Command timeout.'],
  SCARD_E_SHARING_VIOLATION: [0x8010000b, 'Sharing violation.'],
  SCARD_E_NO_SMARTCARD: [0x8010000c, 'No smart card inserted.'],
  SCARD_E_PROTO_MISMATCH: [0x8010000f, 'Card protocol mismatch.'],
  SCARD_F_COMM_ERROR: [0x80100013, 'RPC transport error.'],
  SCARD_E_NOT_TRANSACTED: [0x80100016, 'Transaction failed.'],
  SCARD_E_READER_UNAVAILABLE: [0x80100017, 'Reader is unavailable.'],
  SCARD_E_NO_SERVICE: [0x8010001d, 'Service not available.'],
  SCARD_E_SERVICE_STOPPED: [0x8010001e, 'Service was stopped.'],
  SCARD_E_UNSUPPORTED_FEATURE: [0x8010001f, 'Feature not supported.'],
  SCARD_E_NO_READERS_AVAILABLE: [0x8010002e, 'Cannot find a smart card reader.'],
  SCARD_W_UNRESPONSIVE_CARD: [0x80100066, 'Card is unresponsive.'],
  SCARD_W_UNPOWERED_CARD: [0x80100067, 'Card is unpowered.'],
  SCARD_W_RESET_CARD: [0x80100068, 'Card was reset.'],
  SCARD_W_REMOVED_CARD: [0x80100069, 'Card was removed.'],
} as const satisfies Record<string, readonly [number, string]>;

export type PcscErrorName = keyof typeof PCSC_ERRORS;

/** The binding's `error_msg`: `"%s error: %s(0x%.8lx)"`. */
export function pcscError(method: string, name: PcscErrorName): Error {
  const [code, text] = PCSC_ERRORS[name];
  return new Error(`${method} error: ${text}(0x${code.toString(16).padStart(8, '0')})`);
}

type HandleEvent = 'reset' | 'removed' | 'pulled' | 'reader-gone' | 'service-gone';

interface Handle {
  slot: Slot;
  share: number;
  protocol: number;
  event: HandleEvent | null;
}

interface Slot {
  name: string;
  card: VirtualCard | null;
  powered: boolean;
  /** pcsc-lite counts insertions and removals in the high word of the event state. */
  events: number;
  handles: Set<Handle>;
  failures: Error[];
  pullOnNextTransmit: boolean;
}

const service = {
  running: true,
  slots: new Map<string, Slot>(),
  contexts: new Set<MockPCSCLite>(),
  /** Reader objects still watching: they outlive a closed context, as the binding's threads do. */
  readerObjects: new Set<MockCardReader>(),
};

function later(f: () => void): void {
  setImmediate(f);
}

function slotState(slot: Slot | undefined): { state: number; atr: Buffer } {
  if (slot === undefined) return { state: SCARD.SCARD_STATE_UNKNOWN | SCARD.SCARD_STATE_UNAVAILABLE, atr: Buffer.alloc(0) };
  let state = (slot.events & 0xffff) * 0x10000;
  let atr = Buffer.alloc(0);
  if (slot.card === null) {
    state |= SCARD.SCARD_STATE_EMPTY;
  } else {
    state |= SCARD.SCARD_STATE_PRESENT;
    atr = Buffer.from(slot.card.atr);
    if (atr.length === 0) state |= SCARD.SCARD_STATE_MUTE;
    const live = [...slot.handles].filter((h) => h.event !== 'removed' && h.event !== 'pulled' && h.share !== SCARD.SCARD_SHARE_DIRECT);
    if (live.length > 0) state |= SCARD.SCARD_STATE_INUSE;
    if (live.some((h) => h.share === SCARD.SCARD_SHARE_EXCLUSIVE)) state |= SCARD.SCARD_STATE_EXCLUSIVE;
  }
  return { state: state | SCARD.SCARD_STATE_CHANGED, atr };
}

function notifyReaders(name: string): void {
  for (const r of service.readerObjects) if (r.name === name) r.poll();
}

type StatusCallback = (err: Error | undefined, state?: number, atr?: Buffer) => void;

export interface ConnectOptions {
  share_mode?: number;
  protocol?: number;
}

/** One context's view of a reader: what `pcsclite` hands out in its 'reader' event. */
export class MockCardReader extends EventEmitter {
  readonly SCARD_SHARE_SHARED = SCARD.SCARD_SHARE_SHARED;
  readonly SCARD_SHARE_EXCLUSIVE = SCARD.SCARD_SHARE_EXCLUSIVE;
  readonly SCARD_SHARE_DIRECT = SCARD.SCARD_SHARE_DIRECT;
  readonly SCARD_PROTOCOL_T0 = SCARD.SCARD_PROTOCOL_T0;
  readonly SCARD_PROTOCOL_T1 = SCARD.SCARD_PROTOCOL_T1;
  readonly SCARD_PROTOCOL_RAW = SCARD.SCARD_PROTOCOL_RAW;
  readonly SCARD_STATE_UNAWARE = SCARD.SCARD_STATE_UNAWARE;
  readonly SCARD_STATE_IGNORE = SCARD.SCARD_STATE_IGNORE;
  readonly SCARD_STATE_CHANGED = SCARD.SCARD_STATE_CHANGED;
  readonly SCARD_STATE_UNKNOWN = SCARD.SCARD_STATE_UNKNOWN;
  readonly SCARD_STATE_UNAVAILABLE = SCARD.SCARD_STATE_UNAVAILABLE;
  readonly SCARD_STATE_EMPTY = SCARD.SCARD_STATE_EMPTY;
  readonly SCARD_STATE_PRESENT = SCARD.SCARD_STATE_PRESENT;
  readonly SCARD_STATE_ATRMATCH = SCARD.SCARD_STATE_ATRMATCH;
  readonly SCARD_STATE_EXCLUSIVE = SCARD.SCARD_STATE_EXCLUSIVE;
  readonly SCARD_STATE_INUSE = SCARD.SCARD_STATE_INUSE;
  readonly SCARD_STATE_MUTE = SCARD.SCARD_STATE_MUTE;
  readonly SCARD_LEAVE_CARD = SCARD.SCARD_LEAVE_CARD;
  readonly SCARD_RESET_CARD = SCARD.SCARD_RESET_CARD;
  readonly SCARD_UNPOWER_CARD = SCARD.SCARD_UNPOWER_CARD;
  readonly SCARD_EJECT_CARD = SCARD.SCARD_EJECT_CARD;

  connected = false;
  state = 0;
  private handle: Handle | null = null;
  private monitor: StatusCallback | null = null;
  private currentState: number = SCARD.SCARD_STATE_UNAWARE;
  private ended = false;

  constructor(readonly name: string) {
    super();
    service.readerObjects.add(this);
  }

  SCARD_CTL_CODE(code: number): number {
    return process.platform.startsWith('win') ? (0x31 << 16) | (code << 2) : 0x42000000 + code;
  }

  /** Starts watching the reader; the callback gets every state change (the binding's thread). */
  get_status(cb: StatusCallback): void {
    this.monitor = cb;
    this.poll();
  }

  /** @internal Reports the reader's state if it changed since last reported. */
  poll(): void {
    if (this.monitor === null || this.ended) return;
    later(() => {
      if (this.monitor === null || this.ended) return;
      const { state, atr } = slotState(service.slots.get(this.name));
      if (state === this.currentState) return;
      this.currentState = state;
      this.monitor(undefined, state, atr);
    });
  }

  /** @internal The status thread dies with an error (pcscd stopped): 'error', then 'end'. */
  fail(err: Error): void {
    if (this.ended) return;
    const cb = this.monitor;
    later(() => {
      if (this.ended) return;
      cb?.(err);
      this.end();
    });
  }

  /** @internal */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.monitor = null;
    service.readerObjects.delete(this);
    this.emit('_end');
  }

  close(): number {
    if (!this.ended) later(() => this.end());
    this.monitor = null;
    return 0;
  }

  connect(options: ConnectOptions | ((err: Error | null, protocol?: number) => void), cb?: (err: Error | null, protocol?: number) => void): void {
    if (typeof options === 'function') {
      cb = options;
      options = {};
    }
    const o = { ...(options ?? {}) };
    o.share_mode = o.share_mode || SCARD.SCARD_SHARE_EXCLUSIVE;
    if (o.protocol === undefined || o.protocol === null) o.protocol = SCARD.SCARD_PROTOCOL_T0 | SCARD.SCARD_PROTOCOL_T1;
    const done = cb as (err: Error | null, protocol?: number) => void;
    // As the binding: a second connect on a connected reader calls back with nothing.
    if (this.connected) return (done as () => void)();
    this._connect(o.share_mode, o.protocol, done);
  }

  disconnect(disposition: number | ((err: Error | null) => void), cb?: (err: Error | null) => void): void {
    if (typeof disposition === 'function') {
      cb = disposition;
      disposition = SCARD.SCARD_UNPOWER_CARD;
    }
    if (typeof disposition !== 'number') disposition = SCARD.SCARD_UNPOWER_CARD;
    const done = cb as (err: Error | null) => void;
    if (!this.connected) return (done as () => void)();
    this._disconnect(disposition, done);
  }

  transmit(data: Buffer, res_len: number, protocol: number, cb: (err: Error | null, response?: Buffer) => void): void {
    if (!this.connected) return cb(new Error('Card Reader not connected'));
    this._transmit(data, res_len, protocol, cb);
  }

  control(data: Buffer, control_code: number, res_len: number, cb: (err: Error | null, response?: Buffer) => void): void {
    if (!this.connected) return cb(new Error('Card Reader not connected'));
    void data;
    void control_code;
    void res_len;
    later(() => cb(pcscError('SCardControl', 'SCARD_E_UNSUPPORTED_FEATURE')));
  }

  private _connect(share: number, preferred: number, cb: (err: Error | null, protocol?: number) => void): void {
    later(() => {
      const err = (name: PcscErrorName) => cb(pcscError('SCardConnect', name));
      if (!service.running) return err('SCARD_E_NO_SERVICE');
      const slot = service.slots.get(this.name);
      if (slot === undefined) return err('SCARD_E_UNKNOWN_READER');
      const others = [...slot.handles].filter((h) => h.event === null);
      if (others.some((h) => h.share === SCARD.SCARD_SHARE_EXCLUSIVE)) return err('SCARD_E_SHARING_VIOLATION');
      if (share === SCARD.SCARD_SHARE_EXCLUSIVE && others.length > 0) return err('SCARD_E_SHARING_VIOLATION');
      let protocol = 0;
      if (share !== SCARD.SCARD_SHARE_DIRECT) {
        if (slot.card === null) return err('SCARD_E_NO_SMARTCARD');
        if (slot.card.atr.length === 0) return err('SCARD_W_UNRESPONSIVE_CARD');
        // The emulated cards offer T=0 first and T=1; pcscd takes T=1 when it may.
        if (preferred & SCARD.SCARD_PROTOCOL_T1) protocol = SCARD.SCARD_PROTOCOL_T1;
        else if (preferred & SCARD.SCARD_PROTOCOL_T0) protocol = SCARD.SCARD_PROTOCOL_T0;
        else return err('SCARD_E_PROTO_MISMATCH');
        if (!slot.powered) {
          slot.card.powerOn();
          slot.powered = true;
        }
      }
      const h: Handle = { slot, share, protocol, event: null };
      slot.handles.add(h);
      this.handle = h;
      this.connected = true;
      cb(null, protocol);
      notifyReaders(this.name);
    });
  }

  private _disconnect(disposition: number, cb: (err: Error | null) => void): void {
    later(() => {
      const h = this.handle;
      if (h === null) {
        this.connected = false;
        return cb(null);
      }
      if (!service.running || h.event === 'service-gone') return cb(pcscError('SCardDisconnect', 'SCARD_E_NO_SERVICE'));
      const slot = h.slot;
      slot.handles.delete(h);
      this.handle = null;
      this.connected = false;
      if (h.event === null && slot.card !== null && disposition !== SCARD.SCARD_LEAVE_CARD) {
        if (disposition === SCARD.SCARD_UNPOWER_CARD) {
          slot.card.powerOff();
          slot.powered = false;
        } else {
          slot.card.reset();
          slot.powered = true;
        }
        for (const other of slot.handles) if (other.event === null) other.event = 'reset';
      }
      cb(null);
      notifyReaders(this.name);
    });
  }

  private _transmit(data: Buffer, resLen: number, protocol: number, cb: (err: Error | null, response?: Buffer) => void): void {
    const apdu = new Uint8Array(data);
    later(() => {
      const err = (name: PcscErrorName) => cb(pcscError('SCardTransmit', name));
      const h = this.handle;
      if (h === null) return err('SCARD_E_INVALID_HANDLE');
      if (!service.running || h.event === 'service-gone') return err('SCARD_E_NO_SERVICE');
      if (h.event === 'reader-gone') return err('SCARD_E_READER_UNAVAILABLE');
      if (h.event === 'removed') return err('SCARD_W_REMOVED_CARD');
      if (h.event === 'pulled') return err('SCARD_E_NOT_TRANSACTED');
      if (h.event === 'reset') return err('SCARD_W_RESET_CARD');
      const injected = h.slot.failures.shift();
      if (injected !== undefined) return cb(injected);
      if (h.slot.pullOnNextTransmit) {
        // What pcscd with vpcd does when the card leaves mid-APDU: a "successful" empty
        // response, then the card is gone (the next transmit says "Transaction failed.").
        h.slot.pullOnNextTransmit = false;
        mockPcsc.removeCard(this.name);
        h.event = 'pulled';
        return cb(null, Buffer.alloc(0));
      }
      const card = h.slot.card;
      if (card === null || h.share === SCARD.SCARD_SHARE_DIRECT) return err('SCARD_E_NO_SMARTCARD');
      const single = protocol === SCARD.SCARD_PROTOCOL_T0 || protocol === SCARD.SCARD_PROTOCOL_T1;
      if (single && protocol !== h.protocol) return err('SCARD_E_PROTO_MISMATCH');
      let response: Uint8Array;
      try {
        response = card.process(apdu);
      } catch {
        return err('SCARD_W_UNRESPONSIVE_CARD');
      }
      if (response.length > resLen) return err('SCARD_E_INSUFFICIENT_BUFFER');
      cb(null, Buffer.from(response));
    });
  }

  /** @internal Silent teardown between tests: no more events, connection dead. */
  silence(): void {
    if (this.handle !== null) this.handle.event = 'service-gone';
    this.removeAllListeners();
    this.ended = true;
    this.monitor = null;
  }
}

/** A context: what `pcsclite()` returns. */
export class MockPCSCLite extends EventEmitter {
  readers: Record<string, MockCardReader> = {};
  private closed = false;
  private dead = false;

  constructor() {
    super();
    if (!service.running) throw pcscError('SCardEstablishContext', 'SCARD_E_NO_SERVICE');
    service.contexts.add(this);
    process.nextTick(() => this.refresh());
  }

  close(): number {
    this.closed = true;
    service.contexts.delete(this);
    return 0;
  }

  /** @internal The reader list changed: the binding diffs names, announces new ones, closes gone ones. */
  refresh(): void {
    if (this.closed || this.dead) return;
    const names = [...service.slots.keys()];
    const current = Object.keys(this.readers);
    for (const name of names.filter((n) => !current.includes(n))) {
      const r = new MockCardReader(name);
      r.on('_end', () => {
        r.removeAllListeners('status');
        r.emit('end');
        if (this.readers[name] === r) delete this.readers[name];
      });
      this.readers[name] = r;
      r.get_status((err, state, atr) => {
        if (err) {
          r.emit('error', err);
          return;
        }
        const status: { state: number; atr?: Buffer } = { state: state! };
        if (atr) status.atr = atr;
        r.emit('status', status);
        r.state = state!;
      });
      this.emit('reader', r);
    }
    for (const name of current.filter((n) => !names.includes(n))) this.readers[name]?.close();
  }

  /** @internal pcscd went away: the context's thread reports the error and stops. */
  kill(): void {
    if (this.closed || this.dead) return;
    this.dead = true;
    service.contexts.delete(this);
    const err = pcscError('SCardGetStatusChange', 'SCARD_E_NO_SERVICE');
    later(() => this.emit('error', err));
  }

  /** @internal Silent teardown between tests. */
  drop(): void {
    this.closed = true;
    this.dead = true;
    this.removeAllListeners();
  }
}

/** The module's export: a factory, as `require('pcsclite')()`. */
export default function pcsclite(): MockPCSCLite {
  return new MockPCSCLite();
}

function slotOf(name: string): Slot {
  const s = service.slots.get(name);
  if (s === undefined) throw new Error(`mock pcsc: no reader named ${JSON.stringify(name)}`);
  return s;
}

function refreshAll(): void {
  for (const ctx of service.contexts) later(() => ctx.refresh());
}

/** The world outside the program: readers, cards, other programs and pcscd itself. */
export const mockPcsc = {
  /** Plugs a reader in (empty). */
  addReader(name: string): void {
    if (service.slots.has(name)) return;
    service.slots.set(name, { name, card: null, powered: false, events: 0, handles: new Set(), failures: [], pullOnNextTransmit: false });
    refreshAll();
  },

  /** Unplugs a reader: its reader objects 'end', connections fail with "Reader is unavailable.". */
  removeReader(name: string): void {
    const slot = service.slots.get(name);
    if (slot === undefined) return;
    for (const h of slot.handles) if (h.event !== 'service-gone') h.event = 'reader-gone';
    slot.card?.powerOff();
    service.slots.delete(name);
    refreshAll();
  },

  /** Inserts a card (a card already there is removed first). pcscd powers it at once. */
  insertCard(name: string, card: VirtualCard): void {
    const slot = slotOf(name);
    if (slot.card !== null) mockPcsc.removeCard(name);
    slot.card = card;
    slot.events++;
    if (service.running) {
      card.powerOn();
      slot.powered = true;
    } else {
      slot.powered = false;
    }
    notifyReaders(name);
  },

  /** Pulls the card out: connections on it fail with "Card was removed." until disconnected. */
  removeCard(name: string): void {
    const slot = slotOf(name);
    if (slot.card === null) return;
    slot.card.powerOff();
    slot.card = null;
    slot.powered = false;
    slot.events++;
    for (const h of slot.handles) if (h.event === null || h.event === 'reset') h.event = 'removed';
    notifyReaders(name);
  },

  /** Another program resets the card: every connection gets "Card was reset." until it reconnects. */
  resetCard(name: string): void {
    const slot = slotOf(name);
    if (slot.card === null) throw new Error(`mock pcsc: no card in ${name}`);
    slot.card.reset();
    slot.powered = true;
    for (const h of slot.handles) if (h.event === null) h.event = 'reset';
  },

  /** The next transmit on this reader fails with `err` (an Error, or a return code name). */
  failNextTransmit(name: string, err: Error | PcscErrorName): void {
    slotOf(name).failures.push(typeof err === 'string' ? pcscError('SCardTransmit', err) : err);
  },

  /**
   * The card is pulled out while the next APDU is on its way, as pcscd with vpcd reports it
   * (seen on this machine): that transmit "succeeds" with an empty response, the card is
   * gone, and later transmits on the connection fail with "Transaction failed.".
   */
  pullCardDuringNextTransmit(name: string): void {
    slotOf(name).pullOnNextTransmit = true;
  },

  /** pcscd stops: contexts emit 'error', their readers 'error' then 'end'; new contexts cannot be made. */
  stopService(): void {
    if (!service.running) return;
    service.running = false;
    for (const slot of service.slots.values()) {
      if (slot.card !== null && slot.powered) slot.card.powerOff();
      slot.powered = false;
      for (const h of slot.handles) h.event = 'service-gone';
      slot.handles.clear();
    }
    for (const ctx of [...service.contexts]) ctx.kill();
    for (const r of [...service.readerObjects]) r.fail(pcscError('SCardGetStatusChange', 'SCARD_E_NO_SERVICE'));
  },

  /** pcscd is back: new contexts see the readers (and power their cards) again. */
  startService(): void {
    if (service.running) return;
    service.running = true;
    for (const slot of service.slots.values()) {
      if (slot.card !== null) {
        slot.card.powerOn();
        slot.powered = true;
      }
    }
  },

  get serviceRunning(): boolean {
    return service.running;
  },

  readerNames(): string[] {
    return [...service.slots.keys()];
  },

  cardIn(name: string): VirtualCard | null {
    return service.slots.get(name)?.card ?? null;
  },

  /** Open connections (handles) on a reader, across all contexts. */
  connections(name: string): number {
    return service.slots.get(name)?.handles.size ?? 0;
  },

  /** Back to a clean state: service running, no readers, no contexts (old ones go silent). */
  reset(opts: { readers?: string[] } = {}): void {
    for (const ctx of [...service.contexts]) ctx.drop();
    for (const r of [...service.readerObjects]) r.silence();
    service.contexts.clear();
    service.readerObjects.clear();
    service.slots.clear();
    service.running = true;
    for (const name of opts.readers ?? []) mockPcsc.addReader(name);
  },
};

/**
 * `CHIFA_MOCK_WORLD=world.json`: a process that uses the mock (CHIFA_PCSC=mock) starts with the
 * readers and cards the file describes (world.ts), ready before anything imports the factory.
 * Imported only when the variable is set; world.ts gets `mockPcsc` passed in, never imports
 * this module back (a cycle through a top-level await would never settle).
 */
const worldFile = process.env.CHIFA_MOCK_WORLD;
if (worldFile) {
  const { loadWorld } = await import('./world.ts');
  await loadWorld(worldFile, mockPcsc);
}
