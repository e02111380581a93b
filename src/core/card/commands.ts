/** The command APDUs of card-profile.md, built in one place. */
import { INS, type CommandApdu } from '../apdu.ts';
import { ascii, concat } from '../bytes.ts';
import { ChifaError } from '../errors.ts';

export const select = (aid: Uint8Array): CommandApdu => ({ cla: 0, ins: INS.SELECT, p1: 0x04, p2: 0x0c, data: aid });

export const readBinarySfi = (sfi: number, offset: number, le = 256): CommandApdu => ({
  cla: 0,
  ins: INS.READ_BINARY,
  p1: 0x80 | sfi,
  p2: offset,
  le,
});

export const readBinaryCurrent = (offset: number, le: number): CommandApdu => ({
  cla: 0,
  ins: INS.READ_BINARY,
  p1: (offset >> 8) & 0x7f,
  p2: offset & 0xff,
  le,
});

export const readRecord = (record: number, sfi: number): CommandApdu => ({
  cla: 0,
  ins: INS.READ_RECORD,
  p1: record,
  p2: (sfi << 3) | 0x04,
  le: 256,
});

export const appendRecord = (sfi: number, record: Uint8Array): CommandApdu => ({
  cla: 0,
  ins: INS.APPEND_RECORD,
  p1: 0,
  p2: sfi << 3,
  data: record,
});

export const PIN_PATTERN = /^[0-9]{4,8}$/;

/** The PIN block: ASCII digits padded with FF to 8 bytes. A bad PIN is refused before anything is sent. */
export function verifyPin(pin: string): CommandApdu {
  if (!PIN_PATTERN.test(pin)) {
    throw new ChifaError('invalid-input', 'A PIN is 4 to 8 digits; it was not sent to the card.');
  }
  const block = new Uint8Array(8).fill(0xff);
  block.set(ascii(pin));
  return { cla: 0, ins: INS.VERIFY, p1: 0x00, p2: 0x81, data: block };
}

export const pinStatus = (): CommandApdu => ({ cla: 0, ins: INS.VERIFY, p1: 0x00, p2: 0x81 });

export const getChallenge = (): CommandApdu => ({ cla: 0, ins: INS.GET_CHALLENGE, p1: 0, p2: 0, le: 8 });

export const psoVerifyCertificate = (efPs: Uint8Array): CommandApdu => ({
  cla: 0,
  ins: INS.PSO,
  p1: 0x00,
  p2: 0xbe,
  data: efPs,
});

export const psoComputeSignature = (digest: Uint8Array): CommandApdu => ({
  cla: 0,
  ins: INS.PSO,
  p1: 0x9e,
  p2: 0x9a,
  data: digest,
  le: 256,
});

export const externalAuthenticate = (signature: Uint8Array): CommandApdu => ({
  cla: 0,
  ins: INS.EXTERNAL_AUTHENTICATE,
  p1: 0,
  p2: 0,
  data: concat(Uint8Array.of(0xc7, 0x40), signature),
});
