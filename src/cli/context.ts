/** Options every command shares, and the PC/SC service a command opens for its run. */
import { loadPcscFactory } from '../adapters/pcsc/pcsclite-api.ts';
import { PcscService } from '../adapters/pcsc/service.ts';
import { isTestKey, listTrustedKeys, loadTrustDirectory } from '../adapters/keys.ts';
import { resolvePaths, type Paths } from '../app/home.ts';
import { ChifaError } from '../core/errors.ts';
import type { TrustStore } from '../core/card/model.ts';
import { LANGS, translator, type Lang } from '../i18n/index.ts';
import { log } from './output.ts';

export interface GlobalOptions {
  home?: string;
  trust?: string;
  lang: Lang;
  json: boolean;
}

export function parseLang(value: string | undefined): Lang {
  const lang = (value ?? 'fr') as Lang;
  if (!LANGS.includes(lang)) throw new ChifaError('invalid-input', `--lang must be one of ${LANGS.join(', ')}.`);
  return lang;
}

export function paths(g: GlobalOptions): Paths {
  return resolvePaths({ home: g.home, trust: g.trust });
}

/** The trust directory, saying loudly on stderr when the public test key is in it. */
export function trustStore(g: GlobalOptions): TrustStore {
  const dir = paths(g).trust;
  for (const keyId of listTrustedKeys(dir)) {
    if (isTestKey(keyId)) log(translator(g.lang)('summary.testKeyWarning', { keyId }));
  }
  return loadTrustDirectory(dir);
}

export async function withPcsc<T>(fn: (service: PcscService) => Promise<T>): Promise<T> {
  const service = new PcscService(await loadPcscFactory()).start();
  try {
    return await fn(service);
  } finally {
    service.close();
  }
}

export function parseWait(value: string | undefined, fallback = 10): number {
  const s = value === undefined ? fallback : Number(value);
  if (!Number.isFinite(s) || s < 0) throw new ChifaError('invalid-input', '--wait is a number of seconds, 0 or more.');
  return Math.round(s * 1000);
}
