/**
 * Command and response APDUs (ISO/IEC 7816-4, short form only, CLA 00) and the status
 * words of card-profile.md as a typed enum, in the manner of yubikit: the protocol layer
 * speaks in these, never in raw numbers.
 */

export enum SW {
  OK = 0x9000,
  END_OF_FILE = 0x6282,
  VERIFY_FAILED = 0x6300,
  WRONG_LENGTH = 0x6700,
  SECURITY_NOT_SATISFIED = 0x6982,
  AUTH_METHOD_BLOCKED = 0x6983,
  CONDITIONS_NOT_SATISFIED = 0x6985,
  NO_CURRENT_EF = 0x6986,
  WRONG_DATA = 0x6a80,
  FILE_NOT_FOUND = 0x6a82,
  RECORD_NOT_FOUND = 0x6a83,
  NOT_ENOUGH_MEMORY = 0x6a84,
  WRONG_P1P2 = 0x6b00,
  INS_NOT_SUPPORTED = 0x6d00,
  CLA_NOT_SUPPORTED = 0x6e00,
}

export const INS = {
  SELECT: 0xa4,
  READ_BINARY: 0xb0,
  READ_RECORD: 0xb2,
  VERIFY: 0x20,
  GET_CHALLENGE: 0x84,
  PSO: 0x2a,
  EXTERNAL_AUTHENTICATE: 0x82,
  APPEND_RECORD: 0xe2,
  GET_RESPONSE: 0xc0,
} as const;

export interface CommandApdu {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  /** Command data (Lc is its length); absent or empty means no Lc. */
  data?: Uint8Array;
  /** Expected length, 1..256 (256 is sent as `00`); absent means no Le. */
  le?: number;
}

export interface ResponseApdu {
  data: Uint8Array;
  sw: number;
}

export function sw1(sw: number): number {
  return sw >> 8;
}

export function sw2(sw: number): number {
  return sw & 0xff;
}

export function swHex(sw: number): string {
  return sw.toString(16).padStart(4, '0').toUpperCase();
}

/** `63 CX`: a wrong PIN with X tries left. */
export function triesLeft(sw: number): number | null {
  return (sw & 0xfff0) === 0x63c0 ? sw & 0x0f : null;
}

export function encodeCommand(c: CommandApdu): Uint8Array {
  const data = c.data ?? new Uint8Array(0);
  if (data.length > 255) throw new RangeError('short APDUs carry at most 255 data bytes');
  const hasLe = c.le !== undefined;
  if (hasLe && (c.le! < 1 || c.le! > 256)) throw new RangeError(`Le ${c.le} out of range`);
  const out = new Uint8Array(4 + (data.length ? 1 + data.length : 0) + (hasLe ? 1 : 0));
  out[0] = c.cla;
  out[1] = c.ins;
  out[2] = c.p1;
  out[3] = c.p2;
  let o = 4;
  if (data.length) {
    out[o++] = data.length;
    out.set(data, o);
    o += data.length;
  }
  if (hasLe) out[o] = c.le! & 0xff;
  return out;
}

/** Parses a short command APDU; null when its shape is not one of the four ISO cases. */
export function decodeCommand(bytes: Uint8Array): CommandApdu | null {
  if (bytes.length < 4) return null;
  const [cla, ins, p1, p2] = [bytes[0]!, bytes[1]!, bytes[2]!, bytes[3]!];
  if (bytes.length === 4) return { cla, ins, p1, p2 };
  if (bytes.length === 5) return { cla, ins, p1, p2, le: bytes[4] === 0 ? 256 : bytes[4]! };
  const lc = bytes[4]!;
  if (lc === 0) return null; // extended length: not in this profile
  if (bytes.length === 5 + lc) return { cla, ins, p1, p2, data: bytes.subarray(5) };
  if (bytes.length === 6 + lc) {
    const le = bytes[5 + lc]!;
    return { cla, ins, p1, p2, data: bytes.subarray(5, 5 + lc), le: le === 0 ? 256 : le };
  }
  return null;
}

export function decodeResponse(bytes: Uint8Array): ResponseApdu {
  if (bytes.length < 2) throw new RangeError('a response APDU holds at least a status word');
  const n = bytes.length;
  return { data: bytes.subarray(0, n - 2), sw: (bytes[n - 2]! << 8) | bytes[n - 1]! };
}

export function encodeResponse(r: ResponseApdu): Uint8Array {
  const out = new Uint8Array(r.data.length + 2);
  out.set(r.data, 0);
  out[r.data.length] = r.sw >> 8;
  out[r.data.length + 1] = r.sw & 0xff;
  return out;
}
