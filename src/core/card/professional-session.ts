/**
 * The professional session of card-profile.md §5: the professional key proves itself to the
 * insured card (certificate, challenge, signature), which then opens EF.HISTORY to it.
 */
import { SW } from '../apdu.ts';
import { fromHex } from '../bytes.ts';
import { ChifaError, isChifaError } from '../errors.ts';
import type { ApduSession } from './apdu-session.ts';
import { appendRecord, externalAuthenticate, getChallenge, psoComputeSignature, psoVerifyCertificate, select } from './commands.ts';
import { readTemplate, unexpected } from './files.ts';
import type { IsoDate, ProfessionalCertificate, TrustStore } from './model.ts';
import { presentPin } from './pin.ts';
import { checkProfessionalCertificate, challengeDigest, decodeProfessionalCertificate } from './professional.ts';
import { PROFESSIONAL_AID, PS_SFI, SFI } from './profile.ts';

const refused = (why: string) => new ChifaError('professional-session-refused', `Professional session refused: ${why}.`);

/** Selects the professional key application and reads its certificate, exactly as stored. */
export async function readProfessionalKey(ps: ApduSession): Promise<ProfessionalCertificate> {
  const r = await ps.send(select(PROFESSIONAL_AID));
  if (r.sw === SW.FILE_NOT_FOUND) throw new ChifaError('no-professional-key', 'The card in the professional reader is not a professional key.');
  if (r.sw !== SW.OK) throw unexpected('SELECT of the professional key application', r.sw);
  const efPs = await readTemplate(ps, PS_SFI, 'EF.PS');
  if (efPs === null) throw new ChifaError('no-professional-key', 'The professional key holds no certificate (EF.PS).');
  try {
    return decodeProfessionalCertificate(efPs);
  } catch (e) {
    if (isChifaError(e, 'malformed-card-data')) throw refused(`the key's certificate is malformed (${e.message})`);
    throw e;
  }
}

export interface SessionOptions {
  pin: string;
  /** The insured card's serial, 16 hex digits: the challenge is bound to it. */
  serial: string;
  trust: TrustStore;
  today: IsoDate;
}

/** Opens the session on the insured card (already selected) and returns the key's certificate. */
export async function openProfessionalSession(
  card: ApduSession,
  ps: ApduSession,
  opts: SessionOptions,
): Promise<ProfessionalCertificate> {
  const cert = await readProfessionalKey(ps);
  // The terminal checks what the card will check, so a bad key is named before its PIN is spent.
  const status = checkProfessionalCertificate(cert, opts.trust, opts.today);
  if (status === 'untrusted-key') throw refused(`the key's certificate is signed by ${cert.fundKeyId}, which is not a trusted fund key`);
  if (status === 'invalid') throw refused("the fund's signature on the key's certificate does not verify");
  if (status === 'expired') throw refused(`the key's certificate expired on ${cert.validUntil}`);
  await presentPin(ps, opts.pin, 'professional');

  const v = await card.send(psoVerifyCertificate(cert.raw));
  if (v.sw === SW.VERIFY_FAILED || v.sw === SW.WRONG_DATA) throw refused('the card does not accept the certificate');
  if (v.sw !== SW.OK) throw unexpected('PSO VERIFY CERTIFICATE', v.sw);

  const c = await card.send(getChallenge());
  if (c.sw !== SW.OK || c.data.length !== 8) throw unexpected('GET CHALLENGE', c.sw);
  const s = await ps.send(psoComputeSignature(challengeDigest(c.data, fromHex(opts.serial))));
  if (s.sw === SW.SECURITY_NOT_SATISFIED) throw refused('the professional key did not sign (PIN not verified)');
  if (s.sw !== SW.OK || s.data.length !== 64) throw unexpected('PSO COMPUTE DIGITAL SIGNATURE', s.sw);

  const a = await card.send(externalAuthenticate(s.data));
  if (a.sw === SW.VERIFY_FAILED || a.sw === SW.CONDITIONS_NOT_SATISFIED) throw refused('the card rejected the signature');
  if (a.sw !== SW.OK) throw unexpected('EXTERNAL AUTHENTICATE', a.sw);
  return cert;
}

export type AppendOutcome = 'appended' | 'not-allowed' | 'too-long' | 'malformed';

/** APPEND RECORD to EF.HISTORY in an open session; the claims layer turns outcomes into messages. */
export async function appendHistoryRecord(card: ApduSession, record: Uint8Array): Promise<AppendOutcome> {
  const r = await card.send(appendRecord(SFI.HISTORY, record));
  switch (r.sw) {
    case SW.OK:
      return 'appended';
    case SW.SECURITY_NOT_SATISFIED:
      return 'not-allowed';
    case SW.NOT_ENOUGH_MEMORY:
      return 'too-long';
    case SW.WRONG_DATA:
      return 'malformed';
    default:
      throw unexpected('APPEND RECORD', r.sw);
  }
}
