/**
 * pcscd restarted under a long-running PcscService: the service notices (up false, then
 * true again), the readers come back, and a read succeeds on the same service object.
 * Runs `bash scripts/pcscd-start.sh`, which restarts pcscd (as CI starts it).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { readInsuredCard } from '../../src/app/read-insured.ts';
import { expectedRead, readDoc } from '../support/cards.ts';
import {
  cardPath,
  cleanup,
  explain,
  cliRead,
  insert,
  loadCard,
  loadInsured,
  pcscdReady,
  READER0,
  READER1,
  remove,
  REPO,
  requirePcscd,
  spawnCli,
  startService,
  today,
  trust,
  TRUST_DIR,
  waitFor,
  waitPresent,
} from '../support/pcscd.ts';

requirePcscd('pcscd-restart.test.ts');

// Restarting pcscd takes root (the script kills the running daemon); CI runs as root.
const root = process.getuid?.() === 0;
if (pcscdReady && !root) {
  if (process.env.CI) throw new Error('pcscd-restart.test.ts must run as root in CI: it restarts pcscd with scripts/pcscd-start.sh.');
  console.warn('SKIPPED: pcscd-restart.test.ts restarts pcscd with scripts/pcscd-start.sh, which needs root; run the tests as root to include it.');
}

const run = promisify(execFile);

describe.skipIf(!pcscdReady || !root)('pcscd restarted while the terminal runs', () => {
  afterEach(async () => {
    await cleanup();
    // Whatever happened, leave pcscd with vpcd listening for the next file.
    await waitFor('vpcd to listen again on 35963', async () => (await run('ss', ['-ltn'])).stdout.includes(':35963 '), 20_000, 100);
  });

  it('the service goes down and up again, the readers come back, and the same service reads', { timeout: 90_000 }, async () => {
    const service = await startService();
    const events: boolean[] = [];
    service.on('service', (up) => events.push(up));
    const family = await loadInsured('family');
    const link = await insert(family, READER0, { service });
    const keyLink = await insert(await loadCard('pharmacist'), READER1, { service });
    const before = await readInsuredCard(service, { reader: READER0, pin: '1234', psPin: '1234', waitMs: 5000, trust, today });
    expect(before.data).toEqual(expectedRead(readDoc('family'), { pin: true, history: true }));

    // A `card emulate` child keeps serving across the restart (it inserts the card again).
    await remove(keyLink, READER1, service);
    const emu = spawnCli(['card', 'emulate', cardPath('individual'), '--port', '35964', '--trust', TRUST_DIR]);
    await waitPresent(service, READER1, true, 15_000);
    events.length = 0;

    const { stdout } = await run('bash', [`${REPO}/scripts/pcscd-start.sh`], { timeout: 60_000 });
    expect(stdout).toContain('pcscd started');

    // The vpcd links died with the old pcscd.
    const closed = await link.closed;
    expect(closed.byPeer).toBe(true);
    await waitFor('the service to notice pcscd went away', () => events.includes(false), 20_000);
    await waitFor('the service to come back up', () => service.up && events.lastIndexOf(true) > events.indexOf(false), 20_000);
    expect(events[0]).toBe(false);
    await waitFor('both virtual readers to be back', () => {
      const names = service.readers().map((r) => r.name);
      return names.includes(READER0) && names.includes(READER1);
    }, 20_000);

    // Insert the card again (same emulator object): the same service reads it.
    await insert(family, READER0, { service });
    const after = await readInsuredCard(service, { reader: READER0, pin: '1234', waitMs: 5000, trust, today });
    expect(after.data).toEqual(expectedRead(readDoc('family'), { pin: true }));

    expect(emu.exitCode).toBeNull();
    // The emulate child put the individual card back into the other reader by itself.
    await waitPresent(service, READER1, true, 20_000);
    const r = await readInsuredCard(service, { reader: READER1, waitMs: 5000, trust, today });
    expect(r.data).toEqual(expectedRead(readDoc('individual')));
    // And a fresh CLI process sees the restarted pcscd too.
    const c = await cliRead(['--reader', READER0]);
    expect(c.code, explain(c)).toBe(0);
    expect(c.json).toEqual(expectedRead(readDoc('family')));
  });
});
