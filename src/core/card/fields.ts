/**
 * Strict reading of the profile's templates: every way a data object can be wrong
 * becomes `malformed(file, tag, why)`, never another exception, so a hostile card can
 * only ever fail the read with `malformed-card-data`.
 *
 * Rules decided here where card-profile.md is silent:
 * - `00` and `FF` bytes where a data object's tag is expected are skipped: ISO/IEC 7816-4
 *   allows them as filler before, between and after BER-TLV objects and forbids both as
 *   a tag's first byte.
 * - After a file's template, only `00`/`FF` padding may follow (the reader normally cuts
 *   it off); anything else means the file does not hold exactly one template.
 * - Unknown tags are ignored entirely, so an unknown tag given twice is not a duplicate.
 * - "ASCII" fields take printable ASCII only (`20`..`7E`): they are identifiers shown to
 *   people, and a control character in them is corruption, not data.
 * - Text may be empty; UTF-8 must be well formed; a BOM is kept as a character.
 */
import { decodeUtf8, uintBE } from '../bytes.ts';
import { ChifaError, malformed } from '../errors.ts';
import { readTlv, TlvError, type TlvNode } from '../tlv.ts';
import { cardDateToIso } from './dates.ts';
import { RATE_MAX } from './profile.ts';
import type { IsoDate } from './model.ts';

function isFiller(b: number): boolean {
  return b === 0x00 || b === 0xff;
}

function tlvFailure(e: unknown, file: string, tag: string | null): ChifaError {
  if (e instanceof ChifaError && e.code === 'malformed-card-data') return e;
  if (e instanceof TlvError) return malformed(file, e.tag ?? tag, e.message);
  return malformed(file, tag, e instanceof Error ? e.message : String(e));
}

/**
 * The one template of a file: tag `tag`, nothing but padding after it (or nothing at
 * all when `padding` is false, as in records and command data).
 */
export function readFileTemplate(
  bytes: Uint8Array | null | undefined,
  file: string,
  tag: string,
  padding = true,
): TlvNode {
  if (!(bytes instanceof Uint8Array)) throw malformed(file, null, 'the file is missing');
  if (bytes.length === 0) throw malformed(file, null, 'the file holds no template');
  let node: TlvNode;
  let next: number;
  try {
    ({ node, next } = readTlv(bytes, 0));
  } catch (e) {
    throw tlvFailure(e, file, tag);
  }
  if (node.tag !== tag) throw malformed(file, node.tag, `expected template ${tag}, found ${node.tag}`);
  for (let i = next; i < bytes.length; i++) {
    if (!padding || !isFiller(bytes[i]!)) throw malformed(file, tag, 'bytes follow the template');
  }
  return node;
}

/** The data objects inside a constructed object, filler skipped. */
export function readChildren(parent: TlvNode, file: string): TlvNode[] {
  const v = parent.value;
  const out: TlvNode[] = [];
  let p = 0;
  for (;;) {
    while (p < v.length && isFiller(v[p]!)) p++;
    if (p >= v.length) return out;
    try {
      const { node, next } = readTlv(v, p);
      out.push(node);
      p = next;
    } catch (e) {
      throw tlvFailure(e, file, parent.tag);
    }
  }
}

/**
 * The known data objects of one template, checked for duplicates. `where` prefixes
 * messages inside list entries (e.g. `beneficiary entry 2`).
 */
export class TemplateFields {
  private readonly single = new Map<string, TlvNode>();
  private readonly lists = new Map<string, TlvNode[]>();

  constructor(
    readonly file: string,
    readonly template: TlvNode,
    known: readonly string[],
    repeatable: readonly string[] = [],
    readonly where = '',
  ) {
    for (const r of repeatable) this.lists.set(r, []);
    for (const child of readChildren(template, file)) {
      const list = this.lists.get(child.tag);
      if (list !== undefined) {
        list.push(child);
      } else if (known.includes(child.tag)) {
        if (this.single.has(child.tag)) throw this.fail(child.tag, `data object ${child.tag} appears twice in ${template.tag}`);
        this.single.set(child.tag, child);
      }
    }
  }

  fail(tag: string | null, why: string): ChifaError {
    return malformed(this.file, tag, this.where === '' ? why : `${this.where}: ${why}`);
  }

  has(tag: string): boolean {
    return this.single.has(tag);
  }

  node(tag: string): TlvNode {
    const n = this.single.get(tag);
    if (n === undefined) throw this.fail(tag, `mandatory data object ${tag} is missing from ${this.template.tag}`);
    return n;
  }

  value(tag: string): Uint8Array {
    return this.node(tag).value;
  }

  entries(tag: string): TlvNode[] {
    return this.lists.get(tag) ?? [];
  }

  /** Decodes an optional data object, null when absent. */
  optional<T>(tag: string, decode: (tag: string) => T): T | null {
    return this.single.has(tag) ? decode(tag) : null;
  }

  bytes(tag: string, size: number): Uint8Array {
    const v = this.value(tag);
    if (v.length !== size) throw this.fail(tag, `expected ${size} bytes, found ${v.length}`);
    return v;
  }

  byte(tag: string): number {
    return this.bytes(tag, 1)[0]!;
  }

  uint(tag: string, size: number): number {
    return uintBE(this.bytes(tag, size));
  }

  enumerated<T>(tag: string, table: Readonly<Record<number, T>>): T {
    const b = this.byte(tag);
    const v = table[b];
    if (v === undefined) throw this.fail(tag, `value ${b.toString(16).padStart(2, '0').toUpperCase()} is not listed`);
    return v;
  }

  text(tag: string): string {
    try {
      return decodeUtf8(this.value(tag));
    } catch (e) {
      if (e instanceof ChifaError) throw e;
      throw this.fail(tag, 'invalid UTF-8');
    }
  }

  ascii(tag: string, maxBytes = Infinity): string {
    const v = this.value(tag);
    if (v.length > maxBytes) throw this.fail(tag, `longer than ${maxBytes} bytes`);
    let s = '';
    for (const b of v) {
      if (b < 0x20 || b > 0x7e) throw this.fail(tag, 'not printable ASCII');
      s += String.fromCharCode(b);
    }
    return s;
  }

  digits(tag: string, count: number): string {
    const v = this.bytes(tag, count);
    for (const b of v) if (b < 0x30 || b > 0x39) throw this.fail(tag, `expected ${count} ASCII digits`);
    return String.fromCharCode(...v);
  }

  date(tag: string, partial = false): IsoDate {
    const v = this.value(tag);
    const iso = cardDateToIso(v, partial);
    if (iso === null) throw this.fail(tag, partial ? 'not a birth date YYYYMMDD' : 'not a calendar date YYYYMMDD');
    return iso;
  }

  rate(tag: string): number {
    const r = this.uint(tag, 2);
    if (r > RATE_MAX) throw this.fail(tag, `rate ${r} is above ${RATE_MAX}`);
    return r;
  }
}

/**
 * Runs a file's decoder so that nothing but `malformed` escapes it, whatever the
 * bytes: a bug surfacing on strange input must still fail the read the documented way.
 */
export function guarded<T>(file: string, decode: () => T): T {
  try {
    return decode();
  } catch (e) {
    throw tlvFailure(e, file, null);
  }
}
