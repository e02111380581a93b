/**
 * Every failure a user or a script can see carries one of these stable codes
 * (json-contract.md): the code is the contract, the message is for people.
 */
export type ErrorCode =
  | 'invalid-input'
  | 'no-reader'
  | 'no-card'
  | 'card-removed'
  | 'not-a-chifa-card'
  | 'malformed-card-data'
  | 'wrong-pin'
  | 'pin-blocked'
  | 'no-professional-key'
  | 'professional-session-refused'
  | 'reader-error'
  | 'card-reset'
  | 'no-catalog'
  | 'catalog-too-new'
  | 'catalog-unreadable'
  | 'internal-error';

export class ChifaError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'ChifaError';
    this.code = code;
    this.details = details;
  }
}

export function isChifaError(e: unknown, code?: ErrorCode): e is ChifaError {
  return e instanceof ChifaError && (code === undefined || e.code === code);
}

/** Malformed data names the file and the tag, as card-profile.md asks. */
export function malformed(file: string, tag: string | null, why: string): ChifaError {
  const where = tag === null ? file : `${file}, tag ${tag}`;
  return new ChifaError('malformed-card-data', `Malformed card data in ${where}: ${why}`, { file, tag });
}
