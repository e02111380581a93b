/**
 * The transport over real pcscd + vpcd: `61 XX` GET RESPONSE chains and `6C XX` re-sends
 * read the same data in the expected number of APDUs, files larger than 256 bytes read by
 * offset, and `card bench` reports the minimal APDU count.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PcscService } from '../../src/adapters/pcsc/service.ts';
import { readCard } from '../../src/core/card/read-card.ts';
import { readInsuredCard } from '../../src/app/read-insured.ts';
import { bigFamilyDoc, cardFromDoc, emergencyLength, expectedApdus, expectedRead, identityFileLengths, readDoc, type Doc } from '../support/cards.ts';
import {
  cleanup,
  explain,
  cliRead,
  insert,
  loadCard,
  loadInsured,
  pcscdReady,
  READER0,
  READER1,
  requirePcscd,
  runCli,
  startService,
  today,
  trust,
  TRUST_ARGS,
} from '../support/pcscd.ts';
import type { InsuredCardEmulator } from '../../src/emulator/insured-card.ts';
import type { VpcdLink } from '../../src/adapters/vpcd/link.ts';

requirePcscd('card-transport.test.ts');

describe.skipIf(!pcscdReady)('transport over pcscd + vpcd', () => {
  let service: PcscService;

  beforeEach(async () => {
    service = await startService();
  });
  afterEach(cleanup);

  /** One read on its own connection; the APDUs counted by the protocol, the vpcd link and the card must agree. */
  async function readCounted(card: InsuredCardEmulator, link: VpcdLink, opts: { pin?: string } = {}) {
    const conn = await service.connect(READER0);
    try {
      const card0 = card.apduCount;
      const link0 = link.apduCount;
      const result = await readCard(conn, { trust, today, pin: opts.pin });
      expect(card.apduCount - card0).toBe(result.apdus);
      expect(link.apduCount - link0).toBe(result.apdus);
      expect(result.attempts).toBe(1);
      return result;
    } finally {
      await conn.close(opts.pin !== undefined);
    }
  }

  it('a clean card reads in the minimal number of APDUs (SELECT + one READ BINARY per 256 bytes)', async () => {
    const doc = readDoc('family');
    const card = await loadInsured('family');
    const link = await insert(card, READER0, { service });
    const r = await readCounted(card, link);
    expect(r.data).toEqual(expectedRead(doc));
    const lengths = identityFileLengths(doc);
    expect(r.apdus).toBe(expectedApdus(lengths));
    // With the PIN: VERIFY and EF.EMERGENCY on top.
    const p = await readCounted(card, link, { pin: '1234' });
    expect(p.data).toEqual(expectedRead(doc, { pin: true }));
    expect(p.apdus).toBe(expectedApdus([...lengths, emergencyLength(doc)]) + 1);
  });

  const faults: Array<{ chunked?: number; exactLe?: boolean }> = [
    { chunked: 1 },
    { chunked: 7 },
    { chunked: 64 },
    { chunked: 255 },
    { chunked: 256 },
    { exactLe: true },
    { chunked: 16, exactLe: true },
  ];

  for (const docName of ['family', 'big family (10 beneficiaries)'] as const) {
    describe(docName, () => {
      const doc: Doc = docName === 'family' ? readDoc('family') : bigFamilyDoc();

      it.each(faults)('faults %o read exactly the same data in the expected APDUs', async (f) => {
        const card = cardFromDoc(doc, { faults: f });
        const link = await insert(card, READER0, { service });
        const lengths = identityFileLengths(doc);
        const r = await readCounted(card, link);
        expect(r.data).toEqual(expectedRead(doc));
        expect(r.apdus).toBe(expectedApdus(lengths, f));
        if (f.chunked !== undefined && f.chunked < 256) expect(r.apdus).toBeGreaterThan(expectedApdus(lengths));
        // With the PIN and a professional session the data stays the same too.
        await insert(await loadCard('pharmacist'), READER1, { service });
        const full = await readInsuredCard(service, { reader: READER0, pin: '1234', psPin: '1234', waitMs: 5000, trust, today });
        expect(full.data).toEqual(expectedRead(doc, { pin: true, history: true }));
      });
    });
  }

  it('a file larger than 256 bytes (10 beneficiaries, long Arabic names) reads exactly, by offset', async () => {
    const doc = bigFamilyDoc();
    const lengths = identityFileLengths(doc);
    expect(lengths[3]).toBeGreaterThan(512); // EF.BENEFICIARIES: three READ BINARY
    const seen: string[] = [];
    const card = cardFromDoc(doc, {
      faults: { onApdu: (_n, apdu) => seen.push(Buffer.from(apdu).toString('hex')) },
      // Padding after the template: the reader must stop at the template's end.
      card: { padding: { byte: 0x00, size: { beneficiaries: 1200 } } },
    });
    const link = await insert(card, READER0, { service });
    const conn = await service.connect(READER0);
    const r = await readCard(conn, { trust, today });
    await conn.close();
    expect(r.data).toEqual(expectedRead(doc));
    expect(r.data.beneficiaries).toHaveLength(10);
    expect(r.data.beneficiaries[9]!.givenNamesAr).toBe('زينب بنت عبد الوهاب الحسيني');
    expect(r.apdus).toBe(expectedApdus(lengths));
    expect(link.apduCount).toBe(r.apdus);
    // EF.BENEFICIARIES: by SFI 04 at offset 0 (Le 256), then the current file at 256, 512…,
    // asking for exactly what is left of the template at the end (never the padding).
    const len = lengths[3]!;
    const wanted = ['00b0840000'];
    for (let off = 256; off < len; off += 256) {
      const le = Math.min(256, len - off) & 0xff;
      wanted.push(`00b0${off.toString(16).padStart(4, '0')}${le.toString(16).padStart(2, '0')}`);
    }
    const fromSfi4 = seen.indexOf('00b0840000');
    expect(fromSfi4).toBeGreaterThanOrEqual(0);
    expect(seen.slice(fromSfi4, fromSfi4 + wanted.length)).toEqual(wanted);
    expect(wanted.length).toBeGreaterThanOrEqual(3);
  });

  it('card bench --count 20 --json: 20 reads at the minimal APDU count of the family card', async () => {
    await insert(await loadInsured('family'), READER0, { service });
    const r = await runCli(['card', 'bench', '--count', '20', '--json', ...TRUST_ARGS, '--reader', READER0]);
    expect(r.code, explain(r)).toBe(0);
    const bench = r.json as { reads: number; msPerRead: number; apdusPerRead: number };
    expect(bench).toEqual({ reads: 20, msPerRead: expect.any(Number), apdusPerRead: expectedApdus(identityFileLengths(readDoc('family'))) });
    expect(bench.msPerRead).toBeGreaterThan(0);
    // With the TCP_NODELAY shim an APDU costs well under a millisecond; 44 ms each without it.
    expect(bench.msPerRead).toBeLessThan(bench.apdusPerRead * 10);
    console.info(`card bench, family card: ${bench.msPerRead} ms/read, ${bench.apdusPerRead} APDUs/read`);
  });

  it('card bench with a chunked card counts every GET RESPONSE', async () => {
    const doc = readDoc('family');
    await insert(cardFromDoc(doc, { faults: { chunked: 32 } }), READER0, { service });
    const r = await runCli(['card', 'bench', '--count', '3', '--json', ...TRUST_ARGS, '--reader', READER0]);
    expect(r.code, explain(r)).toBe(0);
    expect((r.json as { apdusPerRead: number }).apdusPerRead).toBe(expectedApdus(identityFileLengths(doc), { chunked: 32 }));
  });

  it('card read of a chunked card through the CLI equals the document', async () => {
    const doc = bigFamilyDoc();
    await insert(cardFromDoc(doc, { faults: { chunked: 50, exactLe: true } }), READER0, { service });
    const r = await cliRead(['--reader', READER0, '--pin', '1234']);
    expect(r.code, explain(r)).toBe(0);
    expect(r.json).toEqual(expectedRead(doc, { pin: true }));
  });
});
