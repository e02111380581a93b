/** `npm run build:demo-catalog`: rebuilds data/demo/catalog from ../shared (src/app/demo-catalog.ts). */
import { existsSync, statSync } from 'node:fs';
import { SHARED_NOMENCLATURE, SHARED_PRICES, writeDemoCatalog } from '../src/app/demo-catalog.ts';

for (const f of [SHARED_NOMENCLATURE, SHARED_PRICES]) {
  if (!existsSync(f)) {
    process.stderr.write(`${f} is missing: the demo catalog is built from the shared lists (set CHIFA_SHARED_DIR).\n`);
    process.exit(1);
  }
}
for (const f of await writeDemoCatalog()) process.stdout.write(`${f} (${statSync(f).size} bytes)\n`);
