/** PC/SC return codes (pcsclite.h) as the `pcsclite` module reports them, mapped to the terminal's error codes. */
import { ChifaError } from '../../core/errors.ts';

export const SCARD = {
  E_NO_SMARTCARD: 0x8010000c,
  E_NOT_TRANSACTED: 0x80100016,
  E_READER_UNAVAILABLE: 0x80100017,
  E_NO_SERVICE: 0x8010001d,
  E_SERVICE_STOPPED: 0x8010001e,
  E_NO_READERS_AVAILABLE: 0x8010002e,
  F_COMM_ERROR: 0x80100013,
  E_SHARING_VIOLATION: 0x8010000b,
  W_UNRESPONSIVE_CARD: 0x80100066,
  W_UNPOWERED_CARD: 0x80100067,
  W_RESET_CARD: 0x80100068,
  W_REMOVED_CARD: 0x80100069,
} as const;

/** The module writes errors as `SCardTransmit error: Card was removed.(0x80100069)`. */
export function pcscCode(err: unknown): number | null {
  const m = /\(0x([0-9a-fA-F]{8})\)/.exec(err instanceof Error ? err.message : String(err));
  return m ? parseInt(m[1]!, 16) : null;
}

export function toChifaError(err: unknown, during: string): ChifaError {
  const code = pcscCode(err);
  const text = err instanceof Error ? err.message : String(err);
  switch (code) {
    case SCARD.W_REMOVED_CARD:
    case SCARD.E_NO_SMARTCARD:
    case SCARD.W_UNPOWERED_CARD:
    case SCARD.W_UNRESPONSIVE_CARD:
    case SCARD.E_READER_UNAVAILABLE:
    case SCARD.E_NOT_TRANSACTED: // how a card pulled out while an APDU is on its way ends the transaction
      return new ChifaError('card-removed', `The card was removed during ${during}.`, { pcsc: text });
    case SCARD.W_RESET_CARD:
      return new ChifaError('card-reset', `The card was reset by another program during ${during}.`, { pcsc: text });
    case SCARD.E_NO_SERVICE:
    case SCARD.E_SERVICE_STOPPED:
      return new ChifaError('no-reader', `The PC/SC service is not running (${text}).`, { pcsc: text });
    default:
      return new ChifaError('reader-error', `Reader error during ${during}: ${text}`, { pcsc: text });
  }
}
