/**
 * A full read of an insured card (card-profile.md §2–§5): SELECT, the identity files,
 * the issuer signature, and on request the emergency data behind the holder PIN and the
 * history behind a professional session. The result is all or nothing: a removal, a reset
 * past the retry budget or malformed data ends the read without a partial card.
 */
import { SW } from '../apdu.ts';
import { ChifaError, isChifaError } from '../errors.ts';
import type { ApduSession } from './apdu-session.ts';
import { ApduSession as Session } from './apdu-session.ts';
import { select } from './commands.ts';
import type { CardConnection } from './connection.ts';
import { decodeEmergency, decodeIdentity } from './decode.ts';
import { readRecords, readTemplate, unexpected } from './files.ts';
import { decodeHistoryRecord } from './history.ts';
import type { CardData, CardFiles, HistoryRecord, IsoDate, TrustStore } from './model.ts';
import { presentPin } from './pin.ts';
import { openProfessionalSession } from './professional-session.ts';
import { FILE_NAMES, HISTORY_RECORDS, INSURED_AID, SFI } from './profile.ts';
import { verifyCardSignature } from './signature.ts';

export interface ReadCardOptions {
  trust: TrustStore;
  /** The holder PIN: given, the emergency data is read. */
  pin?: string;
  /** The professional key and its PIN: given, the history is read in a professional session. */
  professional?: { connection: CardConnection; pin: string };
  /** The terminal's calendar day, for the professional certificate's validity. */
  today: IsoDate;
}

export interface CardReadResult {
  data: CardData;
  /** The card's files as read, for the claim and for audit. */
  files: CardFiles;
  /** APDUs sent to the insured card and to the professional key, all attempts counted. */
  apdus: number;
  attempts: number;
}

/** A reset by another program restarts the read from SELECT, at most this many times. */
export const MAX_RESET_RETRIES = 3;

export async function selectInsured(session: ApduSession): Promise<void> {
  const r = await session.send(select(INSURED_AID));
  if (r.sw === SW.FILE_NOT_FOUND) throw new ChifaError('not-a-chifa-card', 'This card is not a Chifa insured card.');
  if (r.sw !== SW.OK) throw unexpected('SELECT of the insured application', r.sw);
}

async function mandatory(session: ApduSession, sfi: number): Promise<Uint8Array> {
  const name = FILE_NAMES[sfi]!;
  const t = await readTemplate(session, sfi, name);
  if (t === null) throw new ChifaError('malformed-card-data', `Malformed card data in ${name}: the file is missing.`, { file: name, tag: null });
  return t;
}

async function readOnce(
  session: ApduSession,
  psSession: ApduSession | null,
  opts: ReadCardOptions,
): Promise<{ data: CardData; files: CardFiles }> {
  await selectInsured(session);
  const files: CardFiles = {
    icc: await mandatory(session, SFI.ICC),
    holder: await mandatory(session, SFI.HOLDER),
    rights: await mandatory(session, SFI.RIGHTS),
    beneficiaries: await mandatory(session, SFI.BENEFICIARIES),
    signature: null,
  };
  // Decode before asking for a PIN: a malformed card must not cost the holder a try.
  const identity = decodeIdentity(files);
  files.signature = await readTemplate(session, SFI.SIGNATURE, FILE_NAMES[SFI.SIGNATURE]!).catch((e: unknown) => {
    // An EF.SIGNATURE that does not parse makes the signature invalid, never the read.
    if (isChifaError(e, 'malformed-card-data')) return new Uint8Array(0);
    throw e;
  });
  const signature = verifyCardSignature(files, opts.trust);

  let emergency = null;
  if (opts.pin !== undefined) {
    await presentPin(session, opts.pin, 'holder');
    files.emergency = await readTemplate(session, SFI.EMERGENCY, FILE_NAMES[SFI.EMERGENCY]!);
    emergency = decodeEmergency(files.emergency);
  }

  let history: HistoryRecord[] | null = null;
  if (opts.professional !== undefined && psSession !== null) {
    await openProfessionalSession(session, psSession, {
      pin: opts.professional.pin,
      serial: identity.card.serial,
      trust: opts.trust,
      today: opts.today,
    });
    const records = await readRecords(session, SFI.HISTORY, FILE_NAMES[SFI.HISTORY]!, HISTORY_RECORDS);
    history = records.map(decodeHistoryRecord);
  }

  return { data: { profileVersion: 1, ...identity, emergency, history, signature }, files };
}

export async function readCard(connection: CardConnection, opts: ReadCardOptions): Promise<CardReadResult> {
  const session = new Session(connection);
  const psSession = opts.professional ? new Session(opts.professional.connection) : null;
  for (let attempt = 1; ; attempt++) {
    try {
      const { data, files } = await readOnce(session, psSession, opts);
      return { data, files, apdus: session.apdus + (psSession?.apdus ?? 0), attempts: attempt };
    } catch (e) {
      if (!isChifaError(e, 'card-reset')) throw e;
      if (attempt > MAX_RESET_RETRIES) {
        throw new ChifaError('reader-error', `The card was reset ${attempt} times during the read; giving up.`);
      }
      await connection.recover();
      if (opts.professional) await opts.professional.connection.recover().catch(() => undefined);
    }
  }
}
