/** A card connection over PC/SC: SHARED access, so other programs can use the reader too. */
import type { CardConnection } from '../../core/card/connection.ts';
import { toChifaError } from './errors.ts';
import type { PcscReader } from './pcsclite-api.ts';

/** 256 data bytes and the status word, as card-profile.md asks of receive buffers. */
const RECEIVE_BUFFER = 258;

function connectReader(reader: PcscReader): Promise<number> {
  return new Promise((resolve, reject) => {
    reader.connect(
      { share_mode: reader.SCARD_SHARE_SHARED, protocol: reader.SCARD_PROTOCOL_T0 | reader.SCARD_PROTOCOL_T1 },
      (err, protocol) => (err ? reject(toChifaError(err, 'connection')) : resolve(protocol)),
    );
  });
}

function disconnectReader(reader: PcscReader, disposition: number): Promise<void> {
  return new Promise((resolve) => {
    if (!reader.connected) return resolve();
    // A failed disconnect leaves nothing to undo: the handle is gone either way.
    reader.disconnect(disposition, () => resolve());
  });
}

/**
 * The binding answers each APDU from a worker thread; a main thread asleep in epoll adds a
 * wake-up to every APDU, about a third of an APDU's cost on a fast reader. Keeping the event
 * loop turning while an APDU is under way removes it. The spin is bounded: a slow card (a
 * real one takes milliseconds) lets the loop sleep again after SPIN_MS, so no core burns.
 */
const SPIN_MS = 1;

function spinWhile(pending: () => boolean): void {
  const until = performance.now() + SPIN_MS;
  const turn = () => {
    if (pending() && performance.now() < until) setImmediate(turn);
  };
  setImmediate(turn);
}

export class PcscConnection implements CardConnection {
  private constructor(
    readonly reader: PcscReader,
    private protocol: number,
  ) {}

  static async open(reader: PcscReader): Promise<PcscConnection> {
    return new PcscConnection(reader, await connectReader(reader));
  }

  transmit(apdu: Uint8Array): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      if (!this.reader.connected) {
        reject(toChifaError(new Error('not connected (0x8010000c)'), 'the read'));
        return;
      }
      let done = false;
      this.reader.transmit(Buffer.from(apdu.buffer, apdu.byteOffset, apdu.length), RECEIVE_BUFFER, this.protocol, (err, response) => {
        done = true;
        if (err) reject(toChifaError(err, 'the read'));
        else resolve(new Uint8Array(response.buffer, response.byteOffset, response.length));
      });
      spinWhile(() => !done);
    });
  }

  async recover(): Promise<void> {
    await disconnectReader(this.reader, this.reader.SCARD_LEAVE_CARD);
    this.protocol = await connectReader(this.reader);
  }

  /**
   * `reset` after a PIN or a professional session, so no verified state stays behind on
   * a card another program may pick up; otherwise the card is left as it was.
   */
  close(reset = false): Promise<void> {
    return disconnectReader(this.reader, reset ? this.reader.SCARD_RESET_CARD : this.reader.SCARD_LEAVE_CARD);
  }
}
