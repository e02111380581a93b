/**
 * The mock's world from a file, for a process the tests (or a user without pcscd) start with
 * `CHIFA_PCSC=mock CHIFA_MOCK_WORLD=world.json`: which readers are plugged in, the card in
 * each, and whether pcscd runs. index.ts imports this file only when the variable is set,
 * so the fake module itself stays free of the card-document loader.
 *
 * ```json
 * { "readers": [ { "name": "Virtual PCD 00 00", "card": "cards/family.json" },
 *                { "name": "Virtual PCD 00 01", "card": null } ],
 *   "trustDir": "keys/issuer", "service": "running" }
 * ```
 *
 * - `card`: null (empty reader); a `card emulate` document path; `{ "file", "chunked"?,
 *   "exactLe"? }` (the same with transport faults); or `{ "foreign": true, "atr"? }`, a card
 *   of another kind that answers `6A 82` to every SELECT and `6D 00` to anything else.
 * - Paths are relative to the world file's folder. `trustDir` (the fund keys the emulated
 *   cards check professional certificates with) defaults to the repository's
 *   `data/demo/keys/issuer`.
 * - `service`: `"running"` (default) or `"stopped"` (pcscd is not running).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { encodeResponse, SW } from '../../src/core/apdu.ts';
import { fromHex } from '../../src/core/bytes.ts';
import { ChifaError } from '../../src/core/errors.ts';
import { loadVirtualCard } from '../../src/emulator/document.ts';
import type { FaultOptions, VirtualCard } from '../../src/emulator/virtual-card.ts';
import type { mockPcsc as MockPcsc } from './index.ts';

const DEFAULT_TRUST_DIR = resolve(import.meta.dirname, '../../data/demo/keys/issuer');
/** A plausible ATR that names no Chifa application (T=0, historical bytes "FOREIGN"). */
const FOREIGN_ATR = '3B07464F524549474E';

/** A card of another kind: no Chifa application, every SELECT `6A 82`. */
export class ForeignCard implements VirtualCard {
  apduCount = 0;
  constructor(readonly atr: Uint8Array = fromHex(FOREIGN_ATR)) {}
  powerOn(): void {}
  powerOff(): void {}
  reset(): void {}
  process(apdu: Uint8Array): Uint8Array {
    this.apduCount++;
    const isSelect = apdu.length >= 2 && apdu[0] === 0x00 && apdu[1] === 0xa4;
    return encodeResponse({ data: new Uint8Array(0), sw: isSelect ? SW.FILE_NOT_FOUND : SW.INS_NOT_SUPPORTED });
  }
}

function bad(file: string, why: string): ChifaError {
  return new ChifaError('invalid-input', `CHIFA_MOCK_WORLD ${file}: ${why}`);
}

type CardSpec = null | string | { file: string; chunked?: number; exactLe?: boolean } | { foreign: true; atr?: string };

interface World {
  readers: { name: string; card: CardSpec }[];
  trustDir?: string;
  service?: 'running' | 'stopped';
}

function parseWorld(file: string): World {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw bad(file, e instanceof Error ? e.message : String(e));
  }
  if (typeof doc !== 'object' || doc === null || !Array.isArray((doc as World).readers)) throw bad(file, '"readers" must be a list');
  const w = doc as World;
  for (const [i, r] of w.readers.entries()) {
    if (typeof r?.name !== 'string' || r.name === '') throw bad(file, `readers.${i}.name must be a reader name`);
    const c = r.card as unknown;
    const ok =
      c === null ||
      c === undefined ||
      typeof c === 'string' ||
      (typeof c === 'object' && (typeof (c as { file?: unknown }).file === 'string' || (c as { foreign?: unknown }).foreign === true));
    if (!ok) throw bad(file, `readers.${i}.card must be null, a card document path, { "file" } or { "foreign": true }`);
  }
  if (w.service !== undefined && w.service !== 'running' && w.service !== 'stopped') throw bad(file, '"service" is "running" or "stopped"');
  if (w.trustDir !== undefined && typeof w.trustDir !== 'string') throw bad(file, '"trustDir" must be a path');
  return w;
}

async function makeCard(spec: Exclude<CardSpec, null>, base: string, trustDir: string): Promise<VirtualCard> {
  if (typeof spec === 'string') return loadVirtualCard(resolve(base, spec), { trustDir });
  if ('foreign' in spec) return new ForeignCard(spec.atr === undefined ? undefined : fromHex(spec.atr));
  const faults: FaultOptions = {};
  if (spec.chunked !== undefined) faults.chunked = spec.chunked;
  if (spec.exactLe !== undefined) faults.exactLe = spec.exactLe;
  return loadVirtualCard(resolve(base, spec.file), { trustDir, faults });
}

/** Builds the world described by `file` in the mock: readers, cards, then the service state. */
export async function loadWorld(file: string, mock: typeof MockPcsc): Promise<void> {
  const path = resolve(file);
  const world = parseWorld(path);
  const base = dirname(path);
  const trustDir = world.trustDir === undefined ? DEFAULT_TRUST_DIR : resolve(base, world.trustDir);
  for (const [i, r] of world.readers.entries()) {
    mock.addReader(r.name);
    if (r.card === null || r.card === undefined) continue;
    let card: VirtualCard;
    try {
      card = await makeCard(r.card, base, trustDir);
    } catch (e) {
      throw bad(path, `readers.${i}.card: ${e instanceof Error ? e.message : String(e)}`);
    }
    mock.insertCard(r.name, card);
  }
  if (world.service === 'stopped') mock.stopService();
}
