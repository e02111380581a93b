/**
 * `npm start` for now: serves the demo family card to the virtual reader and shows it read,
 * through pcscd when it runs, else through the mock PC/SC module (and says so).
 */
import type { Command } from 'commander';
import { join } from 'node:path';
import { loadTrustDirectory } from '../../adapters/keys.ts';
import { connectVpcd, type VpcdLink } from '../../adapters/vpcd/link.ts';
import { loadPcscFactory } from '../../adapters/pcsc/pcsclite-api.ts';
import { PcscService } from '../../adapters/pcsc/service.ts';
import { readInsuredCard } from '../../app/read-insured.ts';
import { DEMO_DIR, DEMO_TRUST_DIR, REPO_ROOT, resolvePaths } from '../../app/home.ts';
import { importCatalog, openCatalog } from '../../app/catalog.ts';
import { loadPricingSettings } from '../../app/pricing.ts';
import { calendarDay } from '../../core/clock.ts';
import type { CardData } from '../../core/card/model.ts';
import { pricePrescription, type PrescriptionLine } from '../../core/pricing/index.ts';
import type { Lang } from '../../i18n/index.ts';
import { isChifaError } from '../../core/errors.ts';
import { priceTable } from '../price-table.ts';
import { loadVirtualCard } from '../../emulator/document.ts';
import { translator } from '../../i18n/index.ts';
import { action } from '../action.ts';
import { cardSummary } from '../card-summary.ts';
import { log } from '../output.ts';

const FAMILY = join(DEMO_DIR, 'cards', 'family.json');
const PHARMACIST = join(DEMO_DIR, 'cards', 'pharmacist.json');
const VIRTUAL_READER = 'Virtual PCD 00 00';

/** A prescription for the holder's spouse: a chronic line (coronary disease, code 7), a plain line, a barcode. */
const DEMO_BENEFICIARY = 1;
const DEMO_LINES: PrescriptionLine[] = [
  { product: '285/06E053/97/16', quantity: 1, chronic: 7, ppa: null },
  { product: '289/14A136/16', quantity: 2, chronic: null, ppa: null },
  { product: '2000000000046', quantity: 1, chronic: null, ppa: null },
];

/**
 * The demo's own data directory (never the user's ~/.chifa), given the embedded demo
 * catalog on first use.
 */
async function demoPricing(card: CardData, home: string | undefined, lang: Lang): Promise<string> {
  const paths = resolvePaths({ home: home ?? process.env.CHIFA_HOME ?? join(REPO_ROOT, '.chifa-demo') });
  let empty = false;
  try {
    openCatalog(paths).close();
  } catch (e) {
    if (!isChifaError(e, 'no-catalog')) throw e;
    empty = true;
  }
  if (empty) {
    await importCatalog(paths, { nomenclature: [], prices: [], demo: true });
    log(`The demo catalog (data/demo/catalog) was loaded into ${paths.home}.`);
  }
  const lookup = openCatalog(paths);
  try {
    const day = calendarDay();
    const result = pricePrescription({ card, beneficiary: DEMO_BENEFICIARY, day, lines: DEMO_LINES, catalog: lookup, settings: loadPricingSettings(paths.home), lang });
    return priceTable(result, { day, beneficiary: DEMO_BENEFICIARY }, lang);
  } finally {
    lookup.close();
  }
}

async function realPcsc(): Promise<PcscService | null> {
  try {
    const service = new PcscService(await loadPcscFactory('real')).start();
    if ((await service.settled(1500)) && service.up && service.readers().some((r) => r.name === VIRTUAL_READER)) return service;
    service.close();
  } catch {
    // No binding or no daemon: the mock takes over below.
  }
  return null;
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('serve the demo family card and read it (what npm start runs)')
    .action(
      action(async (g) => {
        const t = translator(g.lang);
        log(t('summary.testKeyWarning', { keyId: 'CNAS-TEST-2026' }));
        const card = await loadVirtualCard(FAMILY, { trustDir: DEMO_TRUST_DIR });
        const key = await loadVirtualCard(PHARMACIST, { trustDir: DEMO_TRUST_DIR });
        let service = process.env.CHIFA_PCSC === 'mock' ? null : await realPcsc();
        const links: VpcdLink[] = [];
        if (service) {
          links.push(await connectVpcd(card, { port: 35963 }), await connectVpcd(key, { port: 35964 }));
          log('pcscd with vsmartcard-vpcd is running: the demo card is in "Virtual PCD 00 00", the pharmacist key in "Virtual PCD 00 01".');
        } else {
          log('pcscd with vsmartcard-vpcd is not running here: reading the demo card through the mock PC/SC module (native-mocks/pcsclite).');
          const { mockPcsc } = await import('../../../native-mocks/pcsclite/index.ts');
          mockPcsc.addReader(VIRTUAL_READER);
          mockPcsc.addReader('Virtual PCD 00 01');
          mockPcsc.insertCard(VIRTUAL_READER, card);
          mockPcsc.insertCard('Virtual PCD 00 01', key);
          service = new PcscService(await loadPcscFactory('mock')).start();
        }
        try {
          const result = await readInsuredCard(service, {
            reader: VIRTUAL_READER,
            pin: '1234',
            psPin: '1234',
            waitMs: 5000,
            trust: loadTrustDirectory(DEMO_TRUST_DIR),
          });
          process.stdout.write(`${cardSummary(result.data, g.lang)}\n`);
          log(`${result.apdus} APDUs.`);
          process.stdout.write(`\n${await demoPricing(result.data, g.home, g.lang)}\n`);
        } finally {
          service.close();
          await Promise.all(links.map((l) => l.close()));
        }
      }),
    );
}
