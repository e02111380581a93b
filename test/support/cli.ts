/**
 * Runs the real command line (`node bin/chifa.js …`) as a child process, the way a script
 * or the acceptance checks do: always against the mock PC/SC module (CHIFA_PCSC=mock, never
 * pcscd), in a fresh temporary CHIFA_HOME, with the mock's world described by a world file
 * (native-mocks/pcsclite/world.ts).
 */
import { execFile } from 'node:child_process';
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
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as one JSON document, or undefined when it is not exactly that. */
  json: unknown;
  /** The CHIFA_HOME the command ran with (removed once the command ended). */
  home: string;
}

export interface RunOptions {
  /** The mock's world: an object (written to a temporary file) or a world file path. */
  world?: MockWorld | string;
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
  cwd?: string;
}

/** A demo card document by name: `demoCard('family')`. */
export const demoCard = (name: string): string => join(DEMO_CARDS, `${name}.json`);

export async function runCli(args: string[], opts: RunOptions = {}): Promise<CliResult> {
  const dir = mkdtempSync(join(tmpdir(), 'chifa-cli-'));
  const home = join(dir, 'home');
  let worldFile: string | undefined;
  if (typeof opts.world === 'string') worldFile = opts.world;
  else if (opts.world !== undefined) {
    worldFile = join(dir, 'world.json');
    writeFileSync(worldFile, JSON.stringify(opts.world));
  }
  const env: Record<string, string | undefined> = { ...process.env };
  // Nothing from the caller's shell may leak into the command's view of the world.
  for (const k of ['CHIFA_HOME', 'CHIFA_TRUST_DIR', 'CHIFA_MOCK_WORLD', 'CHIFA_DEBUG', 'NODE_OPTIONS']) delete env[k];
  Object.assign(env, { CHIFA_PCSC: 'mock', CHIFA_HOME: home, ...(worldFile ? { CHIFA_MOCK_WORLD: worldFile } : {}) }, opts.env ?? {});
  try {
    return await new Promise<CliResult>((done, fail) => {
      execFile(
        process.execPath,
        [CHIFA_BIN, ...args],
        { cwd: opts.cwd ?? REPO, env: env as NodeJS.ProcessEnv, timeout: opts.timeoutMs ?? 15_000, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' },
        (err, stdout, stderr) => {
          if (err && typeof err.code !== 'number') {
            fail(new Error(`chifa ${args.join(' ')} did not finish: ${err.message}\n${stderr}`));
            return;
          }
          let json: unknown;
          try {
            json = JSON.parse(stdout);
          } catch {
            json = undefined;
          }
          done({ code: err ? (err.code as number) : 0, stdout, stderr, json, home });
        },
      );
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
