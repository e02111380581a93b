/**
 * The PC/SC service as the terminal sees it: which readers exist, which hold a card,
 * and a context that comes back by itself when pcscd restarts (the `pcsclite` context
 * dies with the daemon and its constructor throws while the daemon is down).
 */
import { EventEmitter } from 'node:events';
import { ChifaError } from '../../core/errors.ts';
import { PcscConnection } from './connection.ts';
import type { PcscContext, PcscFactory, PcscReader } from './pcsclite-api.ts';

export interface ReaderState {
  name: string;
  present: boolean;
  atr: Uint8Array | null;
}

export interface PcscServiceEvents {
  change: [];
  'card-inserted': [reader: string];
  'card-removed': [reader: string];
  'reader-added': [reader: string];
  'reader-removed': [reader: string];
  service: [up: boolean];
}

interface Tracked {
  reader: PcscReader;
  state: ReaderState;
  reported: boolean;
  events: number | null;
}

export class PcscService extends EventEmitter<PcscServiceEvents> {
  private context: PcscContext | null = null;
  private readonly tracked = new Map<string, Tracked>();
  private retryTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private generation = 0;
  private enumeratedAt = 0;
  up = false;
  lastError: string | null = null;

  constructor(
    private readonly factory: PcscFactory,
    private readonly retryMs = 500,
  ) {
    super();
  }

  start(): this {
    this.establish();
    return this;
  }

  private establish(): void {
    if (this.closed) return;
    const generation = ++this.generation;
    let ctx: PcscContext;
    try {
      ctx = this.factory();
    } catch (e) {
      this.lastError = e instanceof Error ? e.message : String(e);
      this.scheduleRetry();
      return;
    }
    this.context = ctx;
    this.enumeratedAt = 0;
    ctx.on('error', (err: unknown) => {
      if (generation !== this.generation) return;
      this.lastError = err instanceof Error ? err.message : String(err);
      this.dropContext();
      this.scheduleRetry();
    });
    ctx.on('reader', (reader: PcscReader) => {
      if (generation !== this.generation) return;
      this.track(reader, generation);
    });
    // The module lists readers on the next tick; with none it says nothing, so a short
    // settle time stands for "no readers".
    setTimeout(() => {
      if (generation !== this.generation) return;
      this.enumeratedAt = Date.now();
      this.setUp(true);
      this.emit('change');
    }, 50);
  }

  private setUp(up: boolean): void {
    if (this.up === up) return;
    this.up = up;
    this.emit('service', up);
  }

  private scheduleRetry(): void {
    this.setUp(false);
    if (this.closed || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.establish();
    }, this.retryMs);
    this.retryTimer.unref();
  }

  private dropContext(): void {
    const ctx = this.context;
    this.context = null;
    this.generation++;
    for (const name of [...this.tracked.keys()]) this.untrack(name);
    try {
      ctx?.close();
    } catch {
      // A context whose daemon died may refuse to close; it is dropped all the same.
    }
  }

  private track(reader: PcscReader, generation: number): void {
    const t: Tracked = { reader, state: { name: reader.name, present: false, atr: null }, reported: false, events: null };
    this.tracked.set(reader.name, t);
    this.emit('reader-added', reader.name);
    reader.on('error', (err: unknown) => {
      this.lastError = err instanceof Error ? err.message : String(err);
    });
    reader.on('end', () => {
      if (generation === this.generation && this.tracked.get(reader.name) === t) this.untrack(reader.name);
    });
    reader.on('status', (status: { state: number; atr?: Buffer }) => {
      if (generation !== this.generation) return;
      const present =
        (status.state & reader.SCARD_STATE_PRESENT) !== 0 && (status.state & reader.SCARD_STATE_MUTE) === 0;
      const was = t.state.present;
      // pcsc-lite counts card events in the state's upper 16 bits: a card swapped between two
      // reports is a removal and an insertion even though "present" never changed.
      const events = status.state >>> 16;
      const swapped = was && present && t.events !== null && events !== t.events;
      t.events = events;
      if (swapped) this.emit('card-removed', reader.name);
      t.state = {
        name: reader.name,
        present,
        atr: present && status.atr && status.atr.length ? new Uint8Array(status.atr) : null,
      };
      t.reported = true;
      if (present && (!was || swapped)) this.emit('card-inserted', reader.name);
      if (!present && was) this.emit('card-removed', reader.name);
      this.emit('change');
    });
    this.emit('change');
  }

  private untrack(name: string): void {
    const t = this.tracked.get(name);
    if (!t) return;
    this.tracked.delete(name);
    if (t.state.present) this.emit('card-removed', name);
    this.emit('reader-removed', name);
    this.emit('change');
  }

  readers(): ReaderState[] {
    return [...this.tracked.values()].map((t) => t.state).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Resolves once the service answered and every reader reported its first status, or the time ran out. */
  async settled(timeoutMs = 2000): Promise<boolean> {
    const done = () => this.enumeratedAt > 0 && [...this.tracked.values()].every((t) => t.reported);
    if (done()) return true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.off('change', check);
        resolve(done());
      }, timeoutMs);
      const check = () => {
        if (!done()) return;
        clearTimeout(timer);
        this.off('change', check);
        resolve(true);
      };
      this.on('change', check);
    });
  }

  reader(name: string): PcscReader | null {
    return this.tracked.get(name)?.reader ?? null;
  }

  async connect(name: string): Promise<PcscConnection> {
    const reader = this.reader(name);
    if (!reader) throw new ChifaError('no-reader', `No reader named "${name}".`, { reader: name });
    return PcscConnection.open(reader);
  }

  close(): void {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.dropContext();
    this.removeAllListeners();
  }
}
