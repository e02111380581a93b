/**
 * Finding the right card in the right reader: which application a card answers, waiting
 * for the insured card (a professional key in the other reader is never taken for it),
 * and finding the professional key.
 */
import { SW } from '../core/apdu.ts';
import { hex } from '../core/bytes.ts';
import { ApduSession } from '../core/card/apdu-session.ts';
import { select } from '../core/card/commands.ts';
import { INSURED_AID, PROFESSIONAL_AID } from '../core/card/profile.ts';
import { ChifaError, isChifaError } from '../core/errors.ts';
import type { PcscConnection } from '../adapters/pcsc/connection.ts';
import type { PcscService } from '../adapters/pcsc/service.ts';

export type Application = 'insured' | 'professional' | null;

export interface ReaderListing {
  name: string;
  card: null | { atr: string; application: Application };
}

/** Which application of the profile answers SELECT; the card is left as found. */
export async function probeApplication(conn: PcscConnection): Promise<Application> {
  const session = new ApduSession(conn);
  if ((await session.send(select(INSURED_AID))).sw === SW.OK) return 'insured';
  if ((await session.send(select(PROFESSIONAL_AID))).sw === SW.OK) return 'professional';
  return null;
}

async function probeReader(service: PcscService, name: string): Promise<Application | 'gone'> {
  let conn: PcscConnection | null = null;
  try {
    conn = await service.connect(name);
    return await probeApplication(conn);
  } catch (e) {
    if (isChifaError(e, 'card-removed') || isChifaError(e, 'card-reset') || isChifaError(e, 'no-reader')) return 'gone';
    throw e;
  } finally {
    await conn?.close();
  }
}

function serviceDown(service: PcscService): ChifaError {
  return new ChifaError('no-reader', `The PC/SC service is not available${service.lastError ? ` (${service.lastError})` : ''}.`);
}

export async function listReaders(service: PcscService): Promise<ReaderListing[]> {
  await service.settled();
  if (!service.up) throw serviceDown(service);
  const out: ReaderListing[] = [];
  for (const r of service.readers()) {
    if (!r.present) {
      out.push({ name: r.name, card: null });
      continue;
    }
    const app = await probeReader(service, r.name);
    out.push({ name: r.name, card: app === 'gone' ? null : { atr: hex(r.atr ?? new Uint8Array(0)), application: app } });
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits up to `waitMs` for an insured card: in `reader` when named, else in the first
 * reader whose card answers the insured SELECT. Cards are probed once per insertion.
 */
export async function waitForApplication(
  service: PcscService,
  wanted: 'insured' | 'professional',
  opts: { reader?: string; waitMs: number; exclude?: string },
): Promise<string> {
  const deadline = Date.now() + opts.waitMs;
  const probed = new Map<string, Application>();
  const forget = (name: string) => probed.delete(name);
  service.on('card-removed', forget);
  service.on('card-inserted', forget);
  let sawOtherKind = false;
  let sawReader = false;
  let sawNamed = false;
  try {
    await service.settled();
    if (!service.up) throw serviceDown(service);
    if (opts.reader !== undefined && !service.readers().some((r) => r.name === opts.reader)) {
      // A reader named but not there is most often a typo: say so now, with the names there are.
      const names = service.readers().map((r) => `"${r.name}"`).join(', ') || 'none';
      throw new ChifaError('no-reader', `No reader named "${opts.reader}" (readers: ${names}).`, { reader: opts.reader });
    }
    for (;;) {
      const readers = service.readers();
      if (readers.length > 0) sawReader = true;
      if (opts.reader !== undefined && readers.some((r) => r.name === opts.reader)) sawNamed = true;
      for (const r of readers) {
        if (!r.present || r.name === opts.exclude) continue;
        if (opts.reader !== undefined && r.name !== opts.reader) continue;
        if (!probed.has(r.name)) {
          const app = await probeReader(service, r.name);
          if (app === 'gone') continue;
          probed.set(r.name, app);
        }
        const app = probed.get(r.name);
        if (app === wanted) return r.name;
        if (app === null) sawOtherKind = true;
        // A named reader holding another card: the user pointed at it, so say so now.
        if (opts.reader !== undefined) {
          throw wanted === 'insured'
            ? new ChifaError('not-a-chifa-card', `The card in "${r.name}" is not a Chifa insured card.`)
            : new ChifaError('no-professional-key', `The card in "${r.name}" is not a professional key.`);
        }
      }
      if (Date.now() >= deadline) break;
      await sleep(Math.min(100, Math.max(0, deadline - Date.now())));
    }
  } finally {
    service.off('card-removed', forget);
    service.off('card-inserted', forget);
  }
  if (!service.up) throw serviceDown(service);
  if (!sawReader) throw new ChifaError('no-reader', 'No card reader is connected.');
  if (opts.reader !== undefined && !sawNamed) {
    throw new ChifaError('no-reader', `No reader named "${opts.reader}".`, { reader: opts.reader });
  }
  if (wanted === 'professional') throw new ChifaError('no-professional-key', 'No professional key was found in any reader.');
  if (sawOtherKind) throw new ChifaError('not-a-chifa-card', 'The card in the reader is not a Chifa insured card.');
  throw new ChifaError('no-card', 'No card was inserted.');
}
