/**
 * Card read over pcscd + vpcd (with the TCP_NODELAY shim), the terminal against pyscard
 * sending the same APDU sequence in the same run. Target: at most 1.3 × pyscard's time,
 * and no more APDUs than the profile needs (one SELECT, then one READ BINARY per 256
 * bytes of each of the five files a read without PIN or professional key touches).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTrustDirectory } from '../src/adapters/keys.ts';
import { loadPcscFactory } from '../src/adapters/pcsc/pcsclite-api.ts';
import { PcscService } from '../src/adapters/pcsc/service.ts';
import { DEMO_DIR, DEMO_TRUST_DIR } from '../src/app/home.ts';
import { hex } from '../src/core/bytes.ts';
import type { CardConnection } from '../src/core/card/connection.ts';
import { readCard } from '../src/core/card/read-card.ts';
import { calendarDay } from '../src/core/clock.ts';

const READER = 'Virtual PCD 00 00';

function recording(conn: CardConnection, log: Uint8Array[]): CardConnection {
  return {
    transmit: (apdu) => {
      log.push(apdu.slice());
      return conn.transmit(apdu);
    },
    recover: () => conn.recover(),
  };
}

async function waitPresent(service: PcscService, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!service.readers().some((r) => r.name === READER && r.present)) {
    if (Date.now() > deadline) throw new Error(`no card in ${READER} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Minimal APDUs for a read: SELECT plus one READ BINARY per 256 bytes of each template read. */
function minimalApdus(files: { icc: Uint8Array; holder: Uint8Array; rights: Uint8Array; beneficiaries: Uint8Array; signature: Uint8Array | null }): number {
  const reads = [files.icc, files.holder, files.rights, files.beneficiaries, files.signature ?? new Uint8Array(1)];
  return 1 + reads.reduce((n, f) => n + Math.max(1, Math.ceil(f.length / 256)), 0);
}

export async function benchCard(count = 300): Promise<Record<string, unknown>> {
  const service = new PcscService(await loadPcscFactory('real')).start();
  await service.settled();
  if (service.readers().some((r) => r.name === READER && r.present)) {
    service.close();
    throw new Error(`${READER} already holds a card: stop whatever serves it (another \`chifa card emulate\`?) and run the bench again`);
  }
  // The card runs in a process of its own, as a real card is outside the terminal: the terminal
  // and pyscard then meet the same card under the same conditions.
  const emulator = spawn(
    process.execPath,
    [join(import.meta.dirname, '..', 'bin', 'chifa.js'), 'card', 'emulate', join(DEMO_DIR, 'cards', 'family.json'), '--port', '35963', '--trust', DEMO_TRUST_DIR],
    { stdio: 'ignore' },
  );
  try {
    await waitPresent(service, 15000);
    const conn = await service.connect(READER);
    const trust = loadTrustDirectory(DEMO_TRUST_DIR);
    const opts = { trust, today: calendarDay() };
    const sequence: Uint8Array[] = [];
    const first = await readCard(recording(conn, sequence), opts);
    if (first.data.signature.status !== 'valid') throw new Error('the demo card did not verify');
    for (let i = 0; i < 300; i++) await readCard(conn, opts);
    const specFile = join(tmpdir(), `chifa-bench-apdus-${process.pid}.json`);
    writeFileSync(specFile, JSON.stringify({ reader: READER, apdus: sequence.map((a) => hex(a)), count, warmup: 50 }));
    // Rounds alternate between the terminal and pyscard, and each side's median counts, so a
    // burst of load on this small machine does not land on one side only.
    const oursRounds: number[] = [];
    const pyRounds: number[] = [];
    let apdus = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const t0 = performance.now();
      for (let i = 0; i < count; i++) apdus += (await readCard(conn, opts)).apdus;
      oursRounds.push((performance.now() - t0) / count);
      // Asynchronously, so this process stays responsive while pyscard runs.
      const { stdout } = await promisify(execFile)('/usr/bin/python3', [join(import.meta.dirname, 'pyscard-reference.py'), specFile], { encoding: 'utf8' });
      pyRounds.push((JSON.parse(stdout) as { msPerRead: number }).msPerRead);
    }
    await conn.close();
    const ours = median(oursRounds);
    const py = { msPerRead: median(pyRounds), apdusPerRead: sequence.length };
    apdus /= ROUNDS;
    const ratio = ours / py.msPerRead;
    const minimal = minimalApdus(first.files);
    return {
      what: 'full read of the demo family card (SELECT to verified signature) over pcscd + vpcd with the TCP_NODELAY shim',
      reads: count,
      rounds: ROUNDS,
      terminal: { msPerRead: round(ours), apdusPerRead: apdus / count, rounds: oursRounds.map(round) },
      pyscard: { msPerRead: round(py.msPerRead), apdusPerRead: py.apdusPerRead, rounds: pyRounds.map(round) },
      ratio: round(ratio),
      target: { maxRatio: 1.3, apdusPerRead: minimal },
      met: ratio <= 1.3 && apdus / count <= minimal,
    };
  } finally {
    service.close();
    await stopChild(emulator);
  }
}

/** The emulator must be gone before anything else uses the reader: SIGTERM, then SIGKILL. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

const round = (x: number) => Math.round(x * 1000) / 1000;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ROUNDS = 7;
