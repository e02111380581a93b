/**
 * `chifa card bench --count N --json` (json-contract.md) as a child process against the mock
 * PC/SC module: `{ reads, msPerRead, apdusPerRead }`, every APDU sent counted.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import pcsclite, { mockPcsc } from '../../native-mocks/pcsclite/index.ts';
import { PcscService } from '../../src/adapters/pcsc/service.ts';
import { loadTrustDirectory } from '../../src/adapters/keys.ts';
import { readCard } from '../../src/core/card/read-card.ts';
import { loadVirtualCard } from '../../src/emulator/document.ts';
import type { InsuredCardEmulator } from '../../src/emulator/insured-card.ts';
import { DEMO_TRUST, demoCard, runCli, world } from '../support/cli.ts';

const R0 = 'Virtual PCD 00 00';
const TRUST = ['--trust', DEMO_TRUST];

/** APDUs one full read of `name` costs over PC/SC (in process, same mock, same card faults). */
async function apdusOfOneRead(name: string, faults: { chunked?: number } = {}): Promise<number> {
  mockPcsc.reset({ readers: [R0] });
  const card = (await loadVirtualCard(demoCard(name), { trustDir: DEMO_TRUST, faults })) as InsuredCardEmulator;
  mockPcsc.insertCard(R0, card);
  const s = new PcscService(pcsclite).start();
  try {
    await s.settled();
    const c = await s.connect(R0);
    const before = card.apduCount;
    const r = await readCard(c, { trust: loadTrustDirectory(DEMO_TRUST), today: '2026-06-15' });
    await c.close();
    expect(r.apdus).toBe(card.apduCount - before);
    return r.apdus;
  } finally {
    s.close();
    mockPcsc.reset();
  }
}

// Counted in process first, one at a time (the in-process mock is one world); the child processes then run side by side.
let plain = 0;
let chunked = 0;
beforeAll(async () => {
  plain = await apdusOfOneRead('family');
  chunked = await apdusOfOneRead('family', { chunked: 32 });
});

describe.concurrent('chifa card bench --json', () => {
  it('--count 5: { reads: 5, msPerRead, apdusPerRead } with every APDU counted', async () => {
    const r = await runCli(['card', 'bench', '--count', '5', '--json', ...TRUST], { world: world(demoCard('family')) });
    expect(r.code, r.stderr).toBe(0);
    const b = r.json as { reads: number; msPerRead: number; apdusPerRead: number };
    expect(b).toEqual({ reads: 5, msPerRead: expect.any(Number), apdusPerRead: plain });
    expect(b.msPerRead).toBeGreaterThan(0);
  });

  it('GET RESPONSE chains count: a card answering in 32-byte chunks costs more APDUs per read', async () => {
    expect(chunked).toBeGreaterThan(plain);
    const r = await runCli(['card', 'bench', '--count', '3', '--json', ...TRUST], { world: world({ file: demoCard('family'), chunked: 32 }) });
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ reads: 3, apdusPerRead: chunked });
  });

  it.each([['0'], ['2.5'], ['many']])('--count %s: invalid-input, exit 2', async (count) => {
    const r = await runCli(['card', 'bench', '--count', count, '--json', ...TRUST], { world: world(demoCard('family')) });
    expect(r.code).toBe(2);
    expect(r.json).toEqual({ error: { code: 'invalid-input', message: expect.any(String) } });
  });

  it('no card: no-card, exit 1', async () => {
    const r = await runCli(['card', 'bench', '--count', '2', '--json', '--wait', '0'], { world: world(null) });
    expect(r.code).toBe(1);
    expect(r.json).toEqual({ error: { code: 'no-card', message: expect.any(String) } });
  });
});
