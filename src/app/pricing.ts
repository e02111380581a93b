/**
 * `chifa price` as a use case: reads the card and the lines, loads the effective-dated
 * settings, opens the catalog of the data directory and prices (src/core/pricing).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IsoDate } from '../core/card/model.ts';
import type { CatalogLookup } from '../core/catalog/lookup.ts';
import { ChifaError } from '../core/errors.ts';
import {
  parseCard,
  parseLines,
  pricePrescription,
  pricingSettingsFileSchema,
  type DatedPricingSettings,
  type Lang,
  type PricingResult,
} from '../core/pricing/index.ts';
import { REPO_ROOT } from './home.ts';

/** The settings shipped with the terminal. */
export const BUILT_IN_PRICING_SETTINGS = join(REPO_ROOT, 'data', 'rules', 'pricing-settings.json');

/** Where a data directory may hold its own settings, which then replace the built-in ones. */
export function homePricingSettings(home: string): string {
  return join(home, 'rules', 'pricing-settings.json');
}

/** The effective-dated settings of a file, checked; a broken file fails loudly, never defaults. */
export function loadPricingSettingsFile(file: string): DatedPricingSettings[] {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ChifaError('internal-error', `pricing settings ${file} cannot be read: ${(e as Error).message}`);
  }
  const r = pricingSettingsFileSchema.safeParse(doc);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new ChifaError('internal-error', `pricing settings ${file}: ${issue.path.join('.') || 'document'}: ${issue.message}`);
  }
  return r.data.settings;
}

/** `<home>/rules/pricing-settings.json` when the data directory has one, else the built-in file. */
export function loadPricingSettings(home?: string): DatedPricingSettings[] {
  const own = home === undefined ? null : homePricingSettings(home);
  return loadPricingSettingsFile(own !== null && existsSync(own) ? own : BUILT_IN_PRICING_SETTINGS);
}

/** A JSON input file; unreadable or not JSON is the user's input, so `invalid-input`. */
export function readJsonInput(file: string, option: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ChifaError('invalid-input', `${option} ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new ChifaError('invalid-input', `${option} ${file} is not JSON: ${(e as Error).message}`);
  }
}

/** A catalog opened for one command; `no-catalog` when the data directory has none. */
export interface OpenedCatalog extends CatalogLookup {
  close(): void;
}
export type OpenCatalog = (home: string) => OpenedCatalog;

export interface PriceRequest {
  cardFile: string;
  linesFile: string;
  beneficiary: number;
  day: IsoDate;
  home: string;
  lang: Lang;
}

/** Inputs are checked before the catalog is opened: bad input is exit 2 whatever the catalog. */
export function priceFiles(req: PriceRequest, openCatalog: OpenCatalog): PricingResult {
  const card = parseCard(readJsonInput(req.cardFile, '--card'));
  const lines = parseLines(readJsonInput(req.linesFile, '--lines'));
  const settings = loadPricingSettings(req.home);
  const catalog = openCatalog(req.home);
  try {
    return pricePrescription({ card, beneficiary: req.beneficiary, day: req.day, lines, catalog, settings, lang: req.lang });
  } finally {
    catalog.close();
  }
}
