/** `npm run bench`: what the issues ask to measure, written to bench/results.json. */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchCard } from './card.ts';
import { benchCatalog } from './catalog.ts';
import { benchPricing } from './pricing.ts';

function pcscdRunning(): boolean {
  try {
    execFileSync('pgrep', ['-x', 'pcscd'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version };

if (pcscdRunning()) {
  results.cardRead = await benchCard();
} else {
  results.cardRead = { skipped: 'pcscd is not running: start it with `sudo bash scripts/pcscd-start.sh`' };
}
results.catalog = await benchCatalog();
results.pricing = await benchPricing();
console.log(JSON.stringify(results, null, 2));
writeFileSync(join(import.meta.dirname, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
process.exit(0);
