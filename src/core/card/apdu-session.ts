/**
 * One card, one conversation: sends commands and hides the transport-level answers
 * every terminal must handle (`61 XX` GET RESPONSE chains, `6C XX` re-sends), counting
 * each APDU actually sent so benchmarks and tests can hold the read to the profile's minimum.
 */
import { decodeResponse, encodeCommand, INS, sw1, sw2, type CommandApdu, type ResponseApdu } from '../apdu.ts';
import { concat } from '../bytes.ts';
import { ChifaError } from '../errors.ts';
import type { CardConnection } from './connection.ts';

/** A card may chain at most this much response data; more means a card that never stops. */
const MAX_CHAIN_BYTES = 64 * 1024;
/** `6C XX` asks for one re-send; a card that keeps asking is broken. */
const MAX_RESENDS = 3;

export class ApduSession {
  apdus = 0;

  constructor(readonly connection: CardConnection) {}

  private async exchange(cmd: CommandApdu): Promise<ResponseApdu> {
    this.apdus++;
    const raw = await this.connection.transmit(encodeCommand(cmd));
    // pcscd answers an APDU whose card vanished on the way with an empty response, before
    // any error code: a card pulled out mid-read, never half a card.
    if (raw.length < 2) throw new ChifaError('card-removed', 'The card was removed during the read (no response).');
    return decodeResponse(raw);
  }

  /** Sends `cmd` once, re-sending on `6C XX`. */
  private async exchangeWithLe(cmd: CommandApdu): Promise<ResponseApdu> {
    let c = cmd;
    let r = await this.exchange(c);
    for (let i = 0; sw1(r.sw) === 0x6c; i++) {
      if (i >= MAX_RESENDS) throw new ChifaError('reader-error', 'The card keeps asking for another length (6C).');
      c = { ...c, le: sw2(r.sw) || 256 };
      r = await this.exchange(c);
    }
    return r;
  }

  async send(cmd: CommandApdu): Promise<ResponseApdu> {
    let r = await this.exchangeWithLe(cmd);
    if (sw1(r.sw) !== 0x61) return r;
    // Copy: the transport may reuse its buffer for the next response.
    const parts: Uint8Array[] = [r.data.slice()];
    let total = r.data.length;
    while (sw1(r.sw) === 0x61) {
      r = await this.exchangeWithLe({ cla: 0x00, ins: INS.GET_RESPONSE, p1: 0, p2: 0, le: sw2(r.sw) || 256 });
      parts.push(r.data.slice());
      total += r.data.length;
      if (total > MAX_CHAIN_BYTES) throw new ChifaError('reader-error', 'The card sent more response data than any command of the profile needs.');
    }
    return { data: concat(...parts), sw: r.sw };
  }
}
