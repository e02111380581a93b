/**
 * Runs the real command line (`node bin/chifa.js …`) as a child process, the way a script
 * or the acceptance checks do. By default against the mock PC/SC module (CHIFA_PCSC=mock,
 * never pcscd) with the mock's world described by a world file (native-mocks/pcsclite/world.ts);
 * test/support/pcscd.ts runs the same way against the real pcscd (`pcsc: 'real'`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '../..');
export const CHIFA_BIN = join(REPO, 'bin', 'chifa.js');
export const DEMO_CARDS = join(REPO, 'data', 'demo', 'cards');
export const DEMO_TRUST = join(REPO, 'data', 'demo', 'keys', 'issuer');

export type WorldCard = null | string | { file: string; chunked?: number; exactLe?: boolean } | { foreign: true; atr?: string };

/** What CHIFA_MOCK_WORLD describes: readers with their cards, the issuer trust of the emulated cards, pcscd's state. */
export interface MockWorld {
  readers: { name: string; card: WorldCard }[];
  trustDir?: string;
  service?: 'running' | 'stopped';
}

export interface CliResult {
  /** The exit code, or null when the process was ended by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as one JSON document, or undefined when it is not exactly that. */
  json: unknown;
  /** The CHIFA_HOME the command ran with (a temporary one is removed once the command ended). */
  home: string;
}

export interface RunOptions {
  /** Which PC/SC the command talks to: the mock module (the default) or the real pcscd. */
  pcsc?: 'mock' | 'real';
  /** The mock's world: an object (written to a temporary file) or a world file path. */
  world?: MockWorld | string;
  /** CHIFA_HOME; by default a fresh temporary one, removed once the command ended. */
  home?: string;
  env?: Record<string, string | undefined>;
  /** The command is killed and the run fails after this long (default 15 s). */
  timeoutMs?: number;
  cwd?: string;
  /** Called with the child as soon as it is started (pcscd.ts kills leftovers in cleanup()). */
  onSpawn?: (child: ChildProcess) => void;
}

/** The world most CLI tests run in: the two virtual readers, `c0` in the first, `c1` in the second. */
export const world = (c0: WorldCard, c1: WorldCard = null): MockWorld => ({
  readers: [
    { name: 'Virtual PCD 00 00', card: c0 },
    { name: 'Virtual PCD 00 01', card: c1 },
  ],
});

/** A demo card document by name: `demoCard('family')`. */
export const demoCard = (name: string): string => join(DEMO_CARDS, `${name}.json`);

export async function runCli(args: string[], opts: RunOptions = {}): Promise<CliResult> {
  const dir = mkdtempSync(join(tmpdir(), 'chifa-cli-'));
  const home = opts.home ?? join(dir, 'home');
  let worldFile: string | undefined;
  if (typeof opts.world === 'string') worldFile = opts.world;
  else if (opts.world !== undefined) {
    worldFile = join(dir, 'world.json');
    writeFileSync(worldFile, JSON.stringify(opts.world));
  }
  const env: Record<string, string | undefined> = { ...process.env };
  // Nothing from the caller's shell may leak into the command's view of the world.
  for (const k of ['CHIFA_PCSC', 'CHIFA_HOME', 'CHIFA_TRUST_DIR', 'CHIFA_MOCK_WORLD', 'CHIFA_DEBUG', 'NODE_OPTIONS']) delete env[k];
  if ((opts.pcsc ?? 'mock') === 'mock') env.CHIFA_PCSC = 'mock';
  Object.assign(env, { CHIFA_HOME: home, ...(worldFile ? { CHIFA_MOCK_WORLD: worldFile } : {}) }, opts.env ?? {});
  const timeoutMs = opts.timeoutMs ?? 15_000;
  try {
    return await new Promise<CliResult>((done, fail) => {
      const child = spawn(process.execPath, [CHIFA_BIN, ...args], { cwd: opts.cwd ?? REPO, env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
      opts.onSpawn?.(child);
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, timeoutMs);
      child.on('error', (err) => {
        clearTimeout(timer);
        fail(new Error(`chifa ${args.join(' ')} did not start: ${err.message}`));
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (timedOut) {
          fail(new Error(`chifa ${args.join(' ')} did not finish within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
          return;
        }
        let json: unknown;
        try {
          json = JSON.parse(stdout);
        } catch {
          json = undefined;
        }
        done({ code, signal, stdout, stderr, json, home });
      });
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
