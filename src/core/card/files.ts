/** Reading whole templates out of transparent files, and records out of EF.HISTORY. */
import { SW, swHex } from '../apdu.ts';
import { concat } from '../bytes.ts';
import { ChifaError, malformed } from '../errors.ts';
import { readHeader, TlvError } from '../tlv.ts';
import type { ApduSession } from './apdu-session.ts';
import { readBinaryCurrent, readBinarySfi, readRecord } from './commands.ts';

/** The current-file form of READ BINARY addresses 15 bits of offset. */
const MAX_OFFSET = 0x7fff;

export function unexpected(what: string, sw: number): ChifaError {
  return new ChifaError('reader-error', `Unexpected answer ${swHex(sw)} to ${what}.`, { sw: swHex(sw) });
}

function header(buf: Uint8Array, file: string) {
  try {
    return readHeader(buf);
  } catch (e) {
    if (e instanceof TlvError) throw malformed(file, e.tag, e.message);
    throw e;
  }
}

/**
 * Reads the one template a transparent file holds: the first READ BINARY by SFI gives
 * its length, then current-file reads fetch the rest. Returns null when the file is
 * absent (`6A 82`) and the template's exact bytes otherwise (padding left on the card).
 */
export async function readTemplate(session: ApduSession, sfi: number, file: string): Promise<Uint8Array | null> {
  const first = await session.send(readBinarySfi(sfi, 0));
  if (first.sw === SW.FILE_NOT_FOUND) return null;
  if (first.sw !== SW.OK && first.sw !== SW.END_OF_FILE) throw unexpected(`READ BINARY of ${file}`, first.sw);
  let buf = first.data;
  let ended = first.sw === SW.END_OF_FILE;
  if (buf.length > 0 && (buf[0] === 0x00 || buf[0] === 0xff)) throw malformed(file, null, 'the file holds no template');
  let h = header(buf, file);
  for (;;) {
    const need = h === null ? buf.length + 4 : h.headerLength + h.valueLength;
    if (buf.length >= need) break;
    if (ended) throw malformed(file, h?.tag ?? null, 'the file ends before its template does');
    const offset = buf.length;
    if (offset > MAX_OFFSET) throw malformed(file, h?.tag ?? null, 'the template runs past the largest offset');
    const r = await session.send(readBinaryCurrent(offset, Math.min(256, need - offset)));
    if (r.sw === SW.WRONG_P1P2) throw malformed(file, h?.tag ?? null, 'the file ends before its template does');
    if (r.sw !== SW.OK && r.sw !== SW.END_OF_FILE) throw unexpected(`READ BINARY of ${file} at ${offset}`, r.sw);
    if (r.data.length === 0) throw malformed(file, h?.tag ?? null, 'the file ends before its template does');
    ended = r.sw === SW.END_OF_FILE;
    buf = concat(buf, r.data);
    if (h === null) h = header(buf, file);
  }
  if (h === null) throw malformed(file, null, 'the file holds no template');
  return buf.slice(0, h.headerLength + h.valueLength);
}

/** Reads records 1, 2, … of a record file until the card says there is no more. */
export async function readRecords(session: ApduSession, sfi: number, file: string, max: number): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (let n = 1; n <= max; n++) {
    const r = await session.send(readRecord(n, sfi));
    if (r.sw === SW.RECORD_NOT_FOUND) break;
    if (r.sw !== SW.OK) throw unexpected(`READ RECORD ${n} of ${file}`, r.sw);
    out.push(r.data.slice());
  }
  return out;
}
