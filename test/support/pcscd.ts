/**
 * Support for the tests against the real pcscd + vsmartcard-vpcd (test/integration/*).
 *
 * - `pcscdReady`: pcscd runs and vpcd listens on 35963 (and the `pcsclite` binding loads).
 *   Locally a missing pcscd skips those tests and says why; in CI (`CI` set) it fails them.
 * - Inserting card documents into the virtual readers and waiting until pcscd shows them.
 * - A PcscService over the real binding, waited on rather than slept on.
 * - Running `node bin/chifa.js …` as a child process (asynchronously: the card it reads is
 *   served by this process).
 * - "Another program" on the same reader: a second pcsclite context, or Debian's pyscard.
 *
 * Everything opened here is remembered and closed by `cleanup()` (call it in afterEach).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { loadTrustDirectory } from '../../src/adapters/keys.ts';
import { connectVpcd, type VpcdLink, type VpcdOptions } from '../../src/adapters/vpcd/link.ts';
import { loadPcscFactory, type PcscContext, type PcscFactory, type PcscReader } from '../../src/adapters/pcsc/pcsclite-api.ts';
import { PcscService } from '../../src/adapters/pcsc/service.ts';
import { loadVirtualCard, type LoadOptions } from '../../src/emulator/document.ts';
import type { InsuredCardEmulator } from '../../src/emulator/insured-card.ts';
import type { ProfessionalKeyEmulator } from '../../src/emulator/professional-key.ts';
import type { FaultOptions, VirtualCard } from '../../src/emulator/virtual-card.ts';
import { CHIFA_BIN, DEMO_CARDS, DEMO_TRUST, REPO, runCli as runChifa, type CliResult } from './cli.ts';

export { REPO };
export const CARDS_DIR = DEMO_CARDS;
export const KEYS_DIR = join(REPO, 'data/demo/keys');
export const TRUST_DIR = DEMO_TRUST;

/** The demo issuer's trust store and the day in-process reads check the demo cards on. */
export const trust = loadTrustDirectory(TRUST_DIR);
export const today = '2026-06-15';

export const READER0 = 'Virtual PCD 00 00';
export const READER1 = 'Virtual PCD 00 01';
export const PORT: Record<string, number> = { [READER0]: 35963, [READER1]: 35964 };
export type ReaderName = typeof READER0 | typeof READER1;

/** pyscard as Debian packages it (python3-pyscard), whatever python is first on PATH. */
export const SYSTEM_PYTHON = '/usr/bin/python3';

// ---------------------------------------------------------------------------------------
// Is pcscd here?

function sh(cmd: string, args: string[]): string | null {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return null;
  }
}

function detect(): { ready: boolean; why: string } {
  if (sh('pgrep', ['-x', 'pcscd']) === null) return { ready: false, why: 'pcscd is not running (pgrep -x pcscd found nothing)' };
  const listening = sh('ss', ['-ltn']);
  if (listening === null) return { ready: false, why: '`ss -ltn` failed (install iproute2)' };
  if (!/:35963\s/.test(listening)) return { ready: false, why: 'pcscd runs but vsmartcard-vpcd does not listen on port 35963' };
  try {
    createRequire(import.meta.url)('pcsclite');
  } catch (e) {
    return { ready: false, why: `the pcsclite native module does not load (${(e as Error).message})` };
  }
  return { ready: true, why: '' };
}

const detected = detect();
export const pcscdReady: boolean = detected.ready;
export const pcscdMissingReason: string = detected.why;
const inCi = !!process.env.CI;

/**
 * Call once at the top of each integration file. Locally, without pcscd, says plainly why
 * the file is skipped; in CI registers a failing test so the suite cannot pass without pcscd.
 */
export function requirePcscd(file: string): void {
  if (pcscdReady) return;
  const message =
    `${file}: the PC/SC integration tests need pcscd with vsmartcard-vpcd, but ${pcscdMissingReason}. ` +
    'Start it with `sudo bash scripts/pcscd-start.sh`.';
  if (inCi) {
    describe('pcscd (required in CI)', () => {
      it('pcscd with vsmartcard-vpcd is running', () => {
        throw new Error(message);
      });
    });
  } else {
    console.warn(`SKIPPED: ${message}`);
  }
}

// ---------------------------------------------------------------------------------------
// Waiting for state

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs` naming `what`. */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 10_000, everyMs = 20): Promise<Exclude<T, false | undefined | null>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false && v !== null) return v as Exclude<T, false | undefined | null>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await sleep(everyMs);
  }
}

// ---------------------------------------------------------------------------------------
// Resources closed by cleanup()

const links = new Set<VpcdLink>();
const services = new Set<PcscService>();
const children = new Set<ChildProcess>();
const contexts = new Set<PcscContext>();
const tempDirs = new Set<string>();

export async function cleanup(): Promise<void> {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  children.clear();
  for (const ctx of contexts) {
    try {
      ctx.close();
    } catch {
      // already gone with its daemon
    }
  }
  contexts.clear();
  await Promise.all([...links].map((l) => l.close()));
  links.clear();
  for (const s of services) s.close();
  services.clear();
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
  tempDirs.clear();
}

export function tempDir(prefix = 'chifa-it-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(d);
  return d;
}

// ---------------------------------------------------------------------------------------
// PC/SC service

let factory: PcscFactory | null = null;

export async function realFactory(): Promise<PcscFactory> {
  factory ??= await loadPcscFactory('real');
  return factory;
}

/** A PcscService over the real binding, started and settled; closed by cleanup(). */
export async function startService(retryMs = 200): Promise<PcscService> {
  const s = new PcscService(await realFactory(), retryMs).start();
  services.add(s);
  await waitFor('the PC/SC service to come up with both virtual readers', async () => {
    await s.settled(1000);
    return s.up && s.readers().some((r) => r.name === READER0) && s.readers().some((r) => r.name === READER1);
  });
  return s;
}

export function forgetService(s: PcscService): void {
  services.delete(s);
}

export function cardPresent(s: PcscService, reader: string): boolean {
  return s.readers().find((r) => r.name === reader)?.present ?? false;
}

export function waitPresent(s: PcscService, reader: string, present = true, timeoutMs = 10_000): Promise<true> {
  return waitFor(`${reader} to be ${present ? 'holding a card' : 'empty'}`, () => cardPresent(s, reader) === present, timeoutMs);
}

// ---------------------------------------------------------------------------------------
// Cards in readers

export function cardPath(name: string): string {
  return name.includes('/') ? name : join(CARDS_DIR, name.endsWith('.json') ? name : `${name}.json`);
}

export async function loadCard(
  name: string,
  opts: { faults?: FaultOptions; card?: LoadOptions['card'] } = {},
): Promise<InsuredCardEmulator | ProfessionalKeyEmulator> {
  return loadVirtualCard(cardPath(name), { trustDir: TRUST_DIR, faults: opts.faults, card: opts.card });
}

export async function loadInsured(name: string, opts: { faults?: FaultOptions; card?: LoadOptions['card'] } = {}): Promise<InsuredCardEmulator> {
  return (await loadCard(name, opts)) as InsuredCardEmulator;
}

export async function loadProfessional(name: string, opts: { faults?: FaultOptions } = {}): Promise<ProfessionalKeyEmulator> {
  return (await loadCard(name, opts)) as ProfessionalKeyEmulator;
}

/**
 * Puts `card` into `reader` (a vpcd link) and, when a service is given, waits until pcscd
 * shows the card there. The link is closed by cleanup() if the test does not remove it.
 */
export async function insert(
  card: VirtualCard,
  reader: ReaderName,
  opts: { service?: PcscService; drop?: VpcdOptions['dropBeforeResponse'] } = {},
): Promise<VpcdLink> {
  if (opts.service) await waitPresent(opts.service, reader, false);
  const link = await connectVpcd(card, { port: PORT[reader], dropBeforeResponse: opts.drop });
  links.add(link);
  void link.closed.then(() => links.delete(link));
  if (opts.service) await waitPresent(opts.service, reader, true);
  return link;
}

/** Pulls the card out and, when a service is given, waits until pcscd shows the reader empty. */
export async function remove(link: VpcdLink, reader: ReaderName, service?: PcscService): Promise<void> {
  await link.close();
  links.delete(link);
  if (service) await waitPresent(service, reader, false);
}

/** A card of another kind: every SELECT (and anything else) answers `6A 82`. */
export class ForeignCard implements VirtualCard {
  readonly atr = Uint8Array.from([0x3b, 0x8a, 0x80, 0x01, 0x4a, 0x43, 0x4f, 0x50, 0x33, 0x31, 0x56, 0x32, 0x33, 0x32, 0x7a]);
  apdus: Uint8Array[] = [];
  powerOn(): void {}
  powerOff(): void {}
  reset(): void {}
  process(apdu: Uint8Array): Uint8Array {
    this.apdus.push(apdu.slice());
    return Uint8Array.of(0x6a, 0x82);
  }
}

// ---------------------------------------------------------------------------------------
// The command line as a child process

export type { CliResult } from './cli.ts';

let sharedHome: string | null = null;

/** A fresh data directory per file run: `CHIFA_HOME` of every CLI run unless overridden. */
export function cliHome(): string {
  if (sharedHome === null) {
    const dir = mkdtempSync(join(tmpdir(), 'chifa-home-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    sharedHome = dir;
  }
  return sharedHome;
}

/**
 * `node bin/chifa.js …` against the real pcscd (test/support/cli.ts does the running), with
 * this file run's CHIFA_HOME; a command still running is killed by cleanup().
 */
export function runCli(args: string[], opts: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<CliResult> {
  return runChifa(args, { pcsc: 'real', home: cliHome(), env: opts.env, timeoutMs: opts.timeoutMs ?? 30_000, onSpawn: track });
}

function track(child: ChildProcess): void {
  children.add(child);
  child.on('close', () => children.delete(child));
}

/** Starts a long-running CLI command (card emulate); killed by cleanup() if still running. */
export function spawnCli(args: string[]): ChildProcess & { stdoutText: () => string; stderrText: () => string } {
  const child = spawn(process.execPath, [CHIFA_BIN, ...args], {
    cwd: REPO,
    env: { ...process.env, CHIFA_HOME: cliHome() },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  track(child);
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  return Object.assign(child, { stdoutText: () => out, stderrText: () => err });
}

export const TRUST_ARGS = ['--trust', TRUST_DIR];

/** `card read --json --trust <demo issuer keys>` plus `extra`. */
export function cliRead(extra: string[], opts: { env?: Record<string, string> } = {}): Promise<CliResult> {
  return runCli(['card', 'read', '--json', ...TRUST_ARGS, ...extra], opts);
}

/** Writes `doc` as JSON into a temporary folder and returns the path. */
export function writeTempJson(name: string, doc: unknown): string {
  const p = join(tempDir('chifa-doc-'), name);
  writeFileSync(p, JSON.stringify(doc, null, 2));
  return p;
}

// ---------------------------------------------------------------------------------------
// Another program on the same reader

/**
 * A second pcsclite context with a SHARED connection to `reader`'s card: to pcscd another
 * program. `reset()` disconnects with SCARD_RESET_CARD (every other handle then gets
 * "Card was reset") and connects again, ready for the next reset.
 */
export interface OtherProgram {
  reader: PcscReader;
  resets: number;
  reset(): Promise<void>;
  close(): void;
}

export async function otherProgram(readerName: string): Promise<OtherProgram> {
  const ctx = (await realFactory())();
  contexts.add(ctx);
  ctx.on('error', () => undefined);
  const reader = await new Promise<PcscReader>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`another program: no reader ${readerName}`)), 5000);
    ctx.on('reader', (r: PcscReader) => {
      r.on('error', () => undefined);
      if (r.name !== readerName) return;
      clearTimeout(timer);
      res(r);
    });
  });
  const connect = async () => {
    await waitFor(`another program to connect to ${readerName}`, () =>
      new Promise<boolean>((res, rej) =>
        reader.connect({ share_mode: reader.SCARD_SHARE_SHARED, protocol: reader.SCARD_PROTOCOL_T0 | reader.SCARD_PROTOCOL_T1 }, (err) =>
          err ? rej(err) : res(true),
        ),
      ),
    5000, 50);
  };
  await connect();
  const prog: OtherProgram = {
    reader,
    resets: 0,
    async reset() {
      await new Promise<void>((res) => reader.disconnect(reader.SCARD_RESET_CARD, () => res()));
      prog.resets++;
      await connect();
    },
    close() {
      contexts.delete(ctx);
      try {
        ctx.close();
      } catch {
        // gone
      }
    },
  };
  return prog;
}

/**
 * Debian's pyscard holding a SHARED connection to `reader` (a separate process). It prints
 * `connected <atr>` once connected, answers `select HEX` lines with the SW of that SELECT,
 * `reset` lines by disconnecting with SCARD_RESET_CARD and connecting again, and exits on EOF.
 */
const PYSCARD_SCRIPT = String.raw`
import sys
from smartcard.scard import *
hctx = None
def ok(rv, what):
    if rv != SCARD_S_SUCCESS:
        print("error", what, SCardGetErrorMessage(rv), flush=True)
        sys.exit(3)
rv, hctx = SCardEstablishContext(SCARD_SCOPE_USER)
ok(rv, "context")
reader = sys.argv[1]
def connect():
    rv, h, proto = SCardConnect(hctx, reader, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1)
    ok(rv, "connect")
    return h, proto
h, proto = connect()
rv, name, state, p, atr = SCardStatus(h)
print("connected", bytes(atr).hex(), flush=True)
for line in sys.stdin:
    words = line.split()
    if not words:
        continue
    if words[0] == "select":
        aid = list(bytes.fromhex(words[1]))
        rv, resp = SCardTransmit(h, proto, [0x00, 0xA4, 0x04, 0x0C, len(aid)] + aid)
        if rv != SCARD_S_SUCCESS:
            print("sw", "error", SCardGetErrorMessage(rv).strip(), flush=True)
            h, proto = connect()
        else:
            print("sw", bytes(resp[-2:]).hex(), flush=True)
    elif words[0] == "reset":
        SCardDisconnect(h, SCARD_RESET_CARD)
        h, proto = connect()
        print("reset", flush=True)
SCardDisconnect(h, SCARD_LEAVE_CARD)
SCardReleaseContext(hctx)
print("bye", flush=True)
`;

export interface PyscardHolder {
  child: ChildProcess;
  atr: string;
  /** Sends one command line and resolves with the next output line. */
  ask(line: string): Promise<string>;
  close(): Promise<number | null>;
}

export async function pyscardHolder(reader: string): Promise<PyscardHolder> {
  const child = spawn(SYSTEM_PYTHON, ['-c', PYSCARD_SCRIPT, reader], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(child);
  child.on('close', () => children.delete(child));
  const lines: string[] = [];
  const waiters: Array<(l: string) => void> = [];
  let buf = '';
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const l = buf.slice(0, i);
      buf = buf.slice(i + 1);
      const w = waiters.shift();
      if (w) w(l);
      else lines.push(l);
    }
  });
  const next = () =>
    new Promise<string>((res, rej) => {
      const l = lines.shift();
      if (l !== undefined) return res(l);
      const timer = setTimeout(() => rej(new Error(`pyscard did not answer (stderr: ${err})`)), 10_000);
      waiters.push((x) => {
        clearTimeout(timer);
        res(x);
      });
    });
  const first = await next();
  if (!first.startsWith('connected ')) throw new Error(`pyscard: ${first} ${err}`);
  return {
    child,
    atr: first.slice('connected '.length),
    ask(line) {
      child.stdin!.write(`${line}\n`);
      return next();
    },
    async close() {
      child.stdin!.end();
      const bye = await next().catch(() => '');
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('close', r)));
      if (bye !== 'bye') throw new Error(`pyscard did not end cleanly: ${bye} ${err}`);
      return child.exitCode;
    },
  };
}

/** What a failed CLI run printed, for assertion messages. */
export function explain(r: CliResult): string {
  return `exit ${r.code}${r.signal ? ` (${r.signal})` : ''}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
}
