/**
 * BER-TLV as card-profile.md uses it: single- and multi-byte tags, definite lengths
 * in the forms `< 80`, `81 XX` and `82 XX XX` (a longer-than-needed form is accepted,
 * anything beyond `82` is not). Every node keeps its raw bytes exactly as read,
 * because the issuer signature covers the bytes on the card, never a re-encoding.
 */

export class TlvError extends Error {
  constructor(
    message: string,
    readonly tag: string | null = null,
  ) {
    super(message);
    this.name = 'TlvError';
  }
}

export interface TlvNode {
  /** Tag bytes as upper-case hex, e.g. `E1`, `9F1F`. */
  readonly tag: string;
  readonly constructed: boolean;
  readonly value: Uint8Array;
  /** Tag, length and value exactly as they stood in the input. */
  readonly raw: Uint8Array;
}

export interface TlvHeader {
  tag: string;
  constructed: boolean;
  headerLength: number;
  valueLength: number;
}

function tagHex(bytes: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += bytes[i]!.toString(16).padStart(2, '0');
  return s.toUpperCase();
}

/**
 * Reads a tag and length at `offset`. Returns null when the input stops before the
 * header does (the caller may read more); throws on a length form the profile forbids.
 */
export function readHeader(bytes: Uint8Array, offset = 0): TlvHeader | null {
  let p = offset;
  if (p >= bytes.length) return null;
  const first = bytes[p++]!;
  if ((first & 0x1f) === 0x1f) {
    // Multi-byte tag: following bytes continue while bit 8 is set.
    for (;;) {
      if (p >= bytes.length) return null;
      const b = bytes[p++]!;
      if (p - offset > 4) throw new TlvError('tag longer than 4 bytes');
      if ((b & 0x80) === 0) break;
    }
  }
  const tag = tagHex(bytes, offset, p);
  if (p >= bytes.length) return null;
  const l0 = bytes[p++]!;
  let valueLength: number;
  if (l0 < 0x80) {
    valueLength = l0;
  } else if (l0 === 0x81) {
    if (p + 1 > bytes.length) return null;
    valueLength = bytes[p++]!;
  } else if (l0 === 0x82) {
    if (p + 2 > bytes.length) return null;
    valueLength = bytes[p]! * 256 + bytes[p + 1]!;
    p += 2;
  } else {
    throw new TlvError(`length form ${l0.toString(16).padStart(2, '0').toUpperCase()} not allowed`, tag);
  }
  return { tag, constructed: (first & 0x20) !== 0, headerLength: p - offset, valueLength };
}

/** Parses one complete TLV object at `offset`; throws when it does not fit. */
export function readTlv(bytes: Uint8Array, offset = 0): { node: TlvNode; next: number } {
  const h = readHeader(bytes, offset);
  if (h === null) throw new TlvError('truncated tag or length');
  const start = offset + h.headerLength;
  const end = start + h.valueLength;
  if (end > bytes.length) throw new TlvError(`value of ${h.valueLength} bytes runs past the end`, h.tag);
  return {
    node: {
      tag: h.tag,
      constructed: h.constructed,
      value: bytes.subarray(start, end),
      raw: bytes.subarray(offset, end),
    },
    next: end,
  };
}

/** Parses a sequence of TLV objects that must fill `bytes` exactly (the content of a template). */
export function readAll(bytes: Uint8Array): TlvNode[] {
  const out: TlvNode[] = [];
  let p = 0;
  while (p < bytes.length) {
    const { node, next } = readTlv(bytes, p);
    out.push(node);
    p = next;
  }
  return out;
}

function lengthBytes(n: number): number[] {
  if (n < 0x80) return [n];
  if (n <= 0xff) return [0x81, n];
  if (n <= 0xffff) return [0x82, n >> 8, n & 0xff];
  throw new RangeError(`TLV value of ${n} bytes is too long for this profile`);
}

/** Encodes one object with the shortest length form. `tag` is hex, e.g. `C0` or `9F1F`. */
export function encodeTlv(tag: string, value: Uint8Array): Uint8Array {
  const t = tag.match(/../g)!.map((h) => parseInt(h, 16));
  const l = lengthBytes(value.length);
  const out = new Uint8Array(t.length + l.length + value.length);
  out.set(t, 0);
  out.set(l, t.length);
  out.set(value, t.length + l.length);
  return out;
}

/** Encodes a constructed object from already encoded children. */
export function encodeTemplate(tag: string, children: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const c of children) n += c.length;
  const value = new Uint8Array(n);
  let o = 0;
  for (const c of children) {
    value.set(c, o);
    o += c.length;
  }
  return encodeTlv(tag, value);
}
