/** A mutable TLV tree for tests: re-encodes cards with other orders, length forms, filler, unknown tags. */
import { concat } from '../../src/core/bytes.ts';
import { readAll, readTlv } from '../../src/core/tlv.ts';

export interface Tree {
  tag: string;
  /** Set for the templates the profile defines; other objects stay opaque. */
  children?: Tree[];
  value?: Uint8Array;
}

const TEMPLATES = new Set(['E1', 'E2', 'E3', 'E4', 'E5', 'E6', 'E7', 'E9', 'EA', 'EB']);

export function parseTree(bytes: Uint8Array): Tree {
  const { node } = readTlv(bytes, 0);
  return toTree(node.tag, node.value);
}

function toTree(tag: string, value: Uint8Array): Tree {
  if (!TEMPLATES.has(tag)) return { tag, value };
  return { tag, children: readAll(value).map((n) => toTree(n.tag, n.value)) };
}

/** Small seeded generator so a fast-check seed reproduces a transformation. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface EncodeOptions {
  /** Chooses a length form: 0 shortest, 1 `81`, 2 `82` (falls back when it does not fit). */
  lengthForm?: (length: number) => 0 | 1 | 2;
  /** Filler bytes written before each child. */
  filler?: () => Uint8Array;
}

function lengthBytes(n: number, form: 0 | 1 | 2): number[] {
  if (form === 2 || n > 0xff) return [0x82, n >> 8, n & 0xff];
  if (form === 1 || n >= 0x80) return [0x81, n];
  return [n];
}

export function encodeTree(t: Tree, opts: EncodeOptions = {}, top = true): Uint8Array {
  const value = t.children
    ? concat(...t.children.map((c) => concat(opts.filler?.() ?? new Uint8Array(0), encodeTree(c, opts, false))))
    : t.value!;
  const tagBytes = t.tag.match(/../g)!.map((x) => parseInt(x, 16));
  const form = top ? 0 : (opts.lengthForm?.(value.length) ?? 0);
  return concat(Uint8Array.from(tagBytes), Uint8Array.from(lengthBytes(value.length, form)), value);
}

/** Shuffles every template's children, keeping list entries (`E5`, `E7`) in their order. */
export function shuffleTree(t: Tree, random: () => number): Tree {
  if (!t.children) return t;
  const kids = t.children.map((c) => shuffleTree(c, random));
  const order = kids.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const shuffled = order.map((i) => kids[i]!);
  for (const listTag of ['E5', 'E7']) {
    const inOrder = kids.filter((k) => k.tag === listTag);
    let n = 0;
    for (let i = 0; i < shuffled.length; i++) if (shuffled[i]!.tag === listTag) shuffled[i] = inOrder[n++]!;
  }
  return { tag: t.tag, children: shuffled };
}

/** Tags no template of the profile knows: single-byte, constructed, and multi-byte ones. */
export const UNKNOWN_TAGS = ['CA', 'CF', 'D1', 'DE', '80', '9E', '4F', '5A', 'A0', 'EC', 'EE', '70', '1F21', '5F20', '9F1F', 'BF0C', 'DF01', 'DF8101', '7F49', '9F8001'];

export function insertUnknown(t: Tree, random: () => number, maxPerLevel = 2): Tree {
  if (!t.children) return t;
  const kids = t.children.map((c) => insertUnknown(c, random, maxPerLevel));
  const count = Math.floor(random() * (maxPerLevel + 1));
  for (let k = 0; k < count; k++) {
    const tag = UNKNOWN_TAGS[Math.floor(random() * UNKNOWN_TAGS.length)]!;
    const size = random() < 0.1 ? 128 + Math.floor(random() * 300) : Math.floor(random() * 12);
    const value = Uint8Array.from({ length: size }, () => Math.floor(random() * 256));
    kids.splice(Math.floor(random() * (kids.length + 1)), 0, { tag, value });
  }
  return { tag: t.tag, children: kids };
}
