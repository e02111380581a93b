/**
 * What the command line prints: with `--json` exactly one JSON document on stdout, logs on
 * stderr; exit 0 done, 1 failed, 2 bad usage or input (json-contract.md).
 */
import { ChifaError, type ErrorCode } from '../core/errors.ts';
import { translator, type Lang } from '../i18n/index.ts';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export function printJson(doc: unknown): void {
  process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
}

export function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** The message for people, in their language; the code stays the contract. */
export function errorMessage(e: ChifaError, lang: Lang): string {
  const t = translator(lang);
  const d = e.details;
  const where = [d.file, d.tag ? `tag ${String(d.tag)}` : null].filter(Boolean).join(', ') || e.message;
  const detail = e.message;
  const count = typeof d.triesLeft === 'number' ? d.triesLeft : 0;
  return t(`errors.${e.code}`, { ...d, detail, where, count });
}

export function asChifaError(e: unknown): ChifaError {
  if (e instanceof ChifaError) {
    // Transport-level states that reach the user mean the same as their public codes.
    if (e.code === 'card-reset') return new ChifaError('reader-error', e.message, e.details);
    return e;
  }
  const message = e instanceof Error ? e.message : String(e);
  return new ChifaError('internal-error', message);
}

export function exitCodeFor(code: ErrorCode): number {
  return code === 'invalid-input' ? EXIT_USAGE : EXIT_FAILED;
}

/** Prints the failure the way the caller asked for it and returns the exit status. */
export function reportError(err: unknown, opts: { json: boolean; lang: Lang }): number {
  const e = asChifaError(err);
  const message = errorMessage(e, opts.lang);
  if (opts.json) printJson({ error: { code: e.code, message } });
  else log(message);
  if (e.code === 'internal-error' && process.env.CHIFA_DEBUG) log(String((err as Error)?.stack ?? err));
  return exitCodeFor(e.code);
}
