/** The terminal's data directory and trust directory, as json-contract.md names them. */
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export interface Paths {
  home: string;
  trust: string;
}

export function resolvePaths(opts: { home?: string; trust?: string }, env = process.env): Paths {
  const home = resolve(opts.home ?? env.CHIFA_HOME ?? join(homedir(), '.chifa'));
  const trust = resolve(opts.trust ?? env.CHIFA_TRUST_DIR ?? join(home, 'trust'));
  return { home, trust };
}

/** Created on first use, never before: a read-only command on a fresh machine leaves no trace. */
export function ensureHome(paths: Paths): void {
  mkdirSync(paths.home, { recursive: true });
}

/** Where the repository keeps its demo data, whatever the working directory. */
export const REPO_ROOT = resolve(import.meta.dirname, '../..');
export const DEMO_DIR = join(REPO_ROOT, 'data', 'demo');
export const DEMO_TRUST_DIR = join(DEMO_DIR, 'keys', 'issuer');
