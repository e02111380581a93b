/**
 * Readers shared with others over the real pcscd + vpcd: two reads in parallel, one in each
 * reader; another program (pyscard, a separate process) holding a SHARED connection to the
 * card while we read; `chifa card emulate` as a child process.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PcscService } from '../../src/adapters/pcsc/service.ts';
import { readInsuredCard } from '../../src/app/read-insured.ts';
import { hex } from '../../src/core/bytes.ts';
import { INSURED_AID } from '../../src/core/card/profile.ts';
import { INSURED_ATR } from '../../src/emulator/insured-card.ts';
import { expectedRead, readDoc } from '../support/cards.ts';
import {
  cardPath,
  cleanup,
  explain,
  cliRead,
  insert,
  loadInsured,
  pcscdReady,
  pyscardHolder,
  READER0,
  READER1,
  requirePcscd,
  spawnCli,
  startService,
  today,
  trust,
  TRUST_DIR,
  waitFor,
  waitPresent,
} from '../support/pcscd.ts';

requirePcscd('card-sharing.test.ts');

describe.skipIf(!pcscdReady)('shared readers (pcscd + vpcd)', () => {
  let service: PcscService;

  beforeEach(async () => {
    service = await startService();
  });
  afterEach(cleanup);

  it('two reads in parallel, one in each reader, both succeed (in process, 10 rounds)', async () => {
    const family = await loadInsured('family');
    const individual = await loadInsured('individual');
    await insert(family, READER0, { service });
    await insert(individual, READER1, { service });
    for (let round = 0; round < 10; round++) {
      const [a, b] = await Promise.all([
        readInsuredCard(service, { reader: READER0, pin: '1234', waitMs: 5000, trust, today }),
        readInsuredCard(service, { reader: READER1, pin: '4321', waitMs: 5000, trust, today }),
      ]);
      expect(a.data).toEqual(expectedRead(readDoc('family'), { pin: true }));
      expect(b.data).toEqual(expectedRead(readDoc('individual'), { pin: true }));
    }
  });

  it('two CLI reads in parallel, one in each reader, both succeed', async () => {
    await insert(await loadInsured('family'), READER0, { service });
    await insert(await loadInsured('expired'), READER1, { service });
    const [a, b] = await Promise.all([cliRead(['--reader', READER0, '--pin', '1234']), cliRead(['--reader', READER1])]);
    expect(a.code, explain(a)).toBe(0);
    expect(b.code, explain(b)).toBe(0);
    expect(a.json).toEqual(expectedRead(readDoc('family'), { pin: true }));
    expect(b.json).toEqual(expectedRead(readDoc('expired')));
  });

  it('pyscard holds a SHARED connection to the card while we read; it keeps working after our read', async () => {
    await insert(await loadInsured('family'), READER0, { service });
    const py = await pyscardHolder(READER0);
    expect(py.atr).toBe(hex(INSURED_ATR));
    expect(await py.ask(`select ${hex(INSURED_AID)}`)).toBe('sw 9000');

    // In process and through the CLI, without PIN: the card is left as it was.
    const r = await readInsuredCard(service, { reader: READER0, waitMs: 5000, trust, today });
    expect(r.data).toEqual(expectedRead(readDoc('family')));
    const c = await cliRead(['--reader', READER0]);
    expect(c.code, explain(c)).toBe(0);
    expect(c.json).toEqual(expectedRead(readDoc('family')));
    expect(await py.ask(`select ${hex(INSURED_AID)}`)).toBe('sw 9000');

    // With the PIN our read resets the card when done (no verified state left behind):
    // the other program's next command is told so.
    const p = await cliRead(['--reader', READER0, '--pin', '1234']);
    expect(p.code, explain(p)).toBe(0);
    expect(p.json).toEqual(expectedRead(readDoc('family'), { pin: true }));
    expect(await py.ask(`select ${hex(INSURED_AID)}`)).toMatch(/^sw error .*reset/i);
    expect(await py.ask(`select ${hex(INSURED_AID)}`)).toBe('sw 9000');
    expect(await py.close()).toBe(0);
  });

  it('`chifa card emulate FILE --port` serves a card readable by `card read`; SIGTERM removes it', async () => {
    const emu = spawnCli(['card', 'emulate', cardPath('individual'), '--port', '35964', '--trust', TRUST_DIR, '--json']);
    await waitFor('card emulate to say it serves the card', () => emu.stdoutText().includes('"serving"'), 15_000);
    expect(JSON.parse(emu.stdoutText())).toEqual({ serving: cardPath('individual'), port: 35964 });
    await waitPresent(service, READER1, true);
    const r = await cliRead(['--reader', READER1, '--pin', '4321']);
    expect(r.code, explain(r)).toBe(0);
    expect(r.json).toEqual(expectedRead(readDoc('individual'), { pin: true }));

    const key = spawnCli(['card', 'emulate', cardPath('pharmacist'), '--port', '35963', '--trust', TRUST_DIR]);
    await waitPresent(service, READER0, true, 15_000);
    const h = await cliRead(['--reader', READER1, '--ps-pin', '1234']);
    expect(h.code, explain(h)).toBe(0);
    expect(h.json).toEqual(expectedRead(readDoc('individual'), { history: true }));

    const exited = new Promise<number | null>((res) => emu.once('close', (code) => res(code)));
    emu.kill('SIGTERM');
    expect(await exited).toBe(0);
    await waitPresent(service, READER1, false);
    const gone = await cliRead(['--reader', READER1, '--wait', '0']);
    expect(gone.code, explain(gone)).toBe(1);
    expect((gone.json as { error: { code: string } }).error.code).toBe('no-card');

    const keyExited = new Promise<number | null>((res) => key.once('close', (code) => res(code)));
    key.kill('SIGTERM');
    expect(await keyExited).toBe(0);
    await waitPresent(service, READER0, false);
  });
});
