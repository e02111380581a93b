/** The `card read` and `card bench` use cases over the PC/SC service. */
import { readCard, type CardReadResult } from '../core/card/read-card.ts';
import type { TrustStore } from '../core/card/model.ts';
import { PIN_PATTERN } from '../core/card/commands.ts';
import { calendarDay } from '../core/clock.ts';
import { ChifaError } from '../core/errors.ts';
import type { PcscConnection } from '../adapters/pcsc/connection.ts';
import type { PcscService } from '../adapters/pcsc/service.ts';
import { waitForApplication } from './card-readers.ts';

export interface ReadRequest {
  reader?: string;
  pin?: string;
  psReader?: string;
  psPin?: string;
  waitMs: number;
  trust: TrustStore;
  today?: string;
}

function checkPins(req: ReadRequest): void {
  // A PIN that cannot be right is refused before anything is sent: it must not cost a try.
  for (const [name, pin] of [
    ['--pin', req.pin],
    ['--ps-pin', req.psPin],
  ] as const) {
    if (pin !== undefined && !PIN_PATTERN.test(pin)) {
      throw new ChifaError('invalid-input', `${name}: a PIN is 4 to 8 digits; it was not sent to the card.`);
    }
  }
  if (req.psReader !== undefined && req.psPin === undefined) {
    throw new ChifaError('invalid-input', '--ps-reader needs --ps-pin: the professional session is opened with the key\'s PIN.');
  }
}

interface Connected {
  card: PcscConnection;
  ps: PcscConnection | null;
}

async function connectBoth(service: PcscService, req: ReadRequest): Promise<Connected> {
  const readerName = await waitForApplication(service, 'insured', { reader: req.reader, waitMs: req.waitMs });
  let psName: string | null = null;
  if (req.psPin !== undefined) {
    psName = await waitForApplication(service, 'professional', {
      reader: req.psReader,
      waitMs: req.psReader === undefined ? 0 : req.waitMs,
      exclude: readerName,
    });
  }
  const card = await service.connect(readerName);
  try {
    const ps = psName === null ? null : await service.connect(psName);
    return { card, ps };
  } catch (e) {
    await card.close();
    throw e;
  }
}

async function closeBoth(c: Connected, req: ReadRequest): Promise<void> {
  const sensitive = req.pin !== undefined || req.psPin !== undefined;
  await c.card.close(sensitive);
  await c.ps?.close(true);
}

function readOptions(req: ReadRequest, c: Connected) {
  return {
    trust: req.trust,
    pin: req.pin,
    today: req.today ?? calendarDay(),
    professional: c.ps && req.psPin !== undefined ? { connection: c.ps, pin: req.psPin } : undefined,
  };
}

export async function readInsuredCard(service: PcscService, req: ReadRequest): Promise<CardReadResult> {
  checkPins(req);
  const c = await connectBoth(service, req);
  try {
    return await readCard(c.card, readOptions(req, c));
  } finally {
    await closeBoth(c, req);
  }
}

export interface BenchResult {
  reads: number;
  msPerRead: number;
  apdusPerRead: number;
}

/** Full reads in a loop on one connection, each from SELECT to a verified signature. */
export async function benchInsuredCard(service: PcscService, req: ReadRequest, count: number): Promise<BenchResult> {
  checkPins(req);
  if (!Number.isInteger(count) || count < 1) throw new ChifaError('invalid-input', '--count must be a whole number of reads, at least 1.');
  const c = await connectBoth(service, req);
  try {
    const opts = readOptions(req, c);
    let apdus = 0;
    const t0 = performance.now();
    for (let i = 0; i < count; i++) apdus += (await readCard(c.card, opts)).apdus;
    const ms = performance.now() - t0;
    return { reads: count, msPerRead: Number((ms / count).toFixed(3)), apdusPerRead: apdus / count };
  } finally {
    await closeBoth(c, req);
  }
}
