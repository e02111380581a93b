/** `catalog search`: brand, INN, registration, barcode; case and accents ignored; prefixes; ranking; limit. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { importCatalog, searchCatalog } from '../../src/app/catalog.ts';
import type { Paths } from '../../src/app/home.ts';

const NOMENCLATURE = [
  'N°ENREGISTREMENT;DENOMINATION COMMUNE INTERNATIONALE;NOM DE MARQUE;FORME;DOSAGE;COND',
  '100/13 G 001/10/18;AMOXICILLINE;CLAMOXYL;GELULE;500MG;B/12',
  '101/13 G 002/11;AMOXICILLINE;AMOXIL;GELULE;1G;B/12',
  '102/13 G 003/12;AMOXICILLINE/ACIDE CLAVULANIQUE;AUGMENTIN;COMP;1G;B/8',
  '103/02 B 002/19;KÉTOPROFÈNE;BÉTALGINE;COMP;100MG;B/20',
  '104/03 B 005/98/18;PARACETAMOL;DOLIPRANE;COMPRIME;500MG;B/16',
  '105/03 B 006/98/18;PARACETAMOL;DOLIPRANE;COMPRIME;1000MG;B/8',
  '106/03 B 007/99;PARACETAMOL;PARALGAN;COMPRIME;500MG;B/10',
].join('\n');
const WITHDRAWN = [
  'N°ENREGISTREMENT;DENOMINATION COMMUNE INTERNATIONALE;NOM DE MARQUE;FORME;DOSAGE;COND;DATE DE RETRAIT;MOTIF DE RETRAIT',
  '107/13 G 009/99;AMOXICILLINE;AMOXAL;GELULE;500MG;B/12;01/01/2010;COMMERCIAL',
].join('\n');
const PRICES = [
  'registration;ppa;tariff;reimbursable;valid_from;barcode',
  '100/13G001/10/18;300.00;250.00;1;;',
  '104/03B005/98/18;120.00;;1;;2000000000015',
  '103/02B002/19;450,50 DA;;0;;',
].join('\n');

let paths: Paths;
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'chifa-search-'));
  paths = { home: join(dir, 'home'), trust: join(dir, 'trust') };
  const f = (name: string, text: string) => {
    writeFileSync(join(dir, name), `${text}\n`);
    return join(dir, name);
  };
  await importCatalog(paths, { nomenclature: [f('n.csv', NOMENCLATURE), f('w.csv', WITHDRAWN)], prices: [f('p.csv', PRICES)], validFrom: '2025-01-01' });
});

const brands = (text: string, limit?: number) => searchCatalog(paths, text, { limit, day: '2025-06-01' }).map((h) => h.brand);

describe('catalog search', () => {
  it('answers the contract shape with the prices of the day', () => {
    expect(searchCatalog(paths, 'clamoxyl', { day: '2025-06-01' })).toEqual([
      { registration: '100/13 G 001/10/18', brand: 'CLAMOXYL', inn: 'AMOXICILLINE', form: 'GELULE', dosage: '500MG', packaging: 'B/12', ppa: 30000, tariff: 25000, reimbursable: true, nomenclature: 'in-force' },
    ]);
    expect(searchCatalog(paths, 'clamoxyl', { day: '2024-06-01' })[0]).toMatchObject({ ppa: null, tariff: null, reimbursable: null });
    expect(searchCatalog(paths, 'paralgan', { day: '2025-06-01' })[0]).toMatchObject({ ppa: null, tariff: null, reimbursable: null });
  });

  it('ignores case and accents, in the text and in the data', () => {
    expect(brands('betalgine')).toEqual(['BÉTALGINE']);
    expect(brands('BÉTAL')).toEqual(['BÉTALGINE']);
    expect(brands('ketoprofene')).toEqual(['BÉTALGINE']);
    expect(brands('Kétoprof')).toEqual(['BÉTALGINE']);
    expect(brands('dOlIpRaNe')).toEqual(['DOLIPRANE', 'DOLIPRANE']);
  });

  it('matches prefixes as the user types, every word a prefix', () => {
    expect(brands('d')).toEqual(['DOLIPRANE', 'DOLIPRANE']);
    expect(brands('dol')).toEqual(['DOLIPRANE', 'DOLIPRANE']);
    expect(searchCatalog(paths, 'dolip 1000', { day: '2025-06-01' }).map((h) => h.dosage)).toEqual(['1000MG']);
    expect(brands('parac 500').sort()).toEqual(['DOLIPRANE', 'PARALGAN']);
    expect(brands('xyz')).toEqual([]);
    expect(brands('  ')).toEqual([]);
    expect(brands('"*(')).toEqual([]);
  });

  it('ranks brand prefixes above INN matches, and withdrawn products last', () => {
    // Brands starting with the text (in force, then withdrawn), then INNs starting with it.
    expect(brands('amox')).toEqual(['AMOXIL', 'AMOXAL', 'CLAMOXYL', 'AUGMENTIN']);
    expect(brands('para')).toEqual(['PARALGAN', 'DOLIPRANE', 'DOLIPRANE']);
  });

  it('finds registration numbers, normalised or as published, and barcodes', () => {
    expect(brands('104/03B005')).toEqual(['DOLIPRANE']);
    expect(brands('104/03 B 005/98')).toEqual(['DOLIPRANE']);
    expect(brands('03B006')).toEqual(['DOLIPRANE']);
    expect(brands('2000000000015')).toEqual(['DOLIPRANE']);
    expect(brands('20000000')).toEqual(['DOLIPRANE']);
  });

  it('returns at most --limit products', () => {
    expect(brands('amox', 2)).toEqual(['AMOXIL', 'AMOXAL']);
    expect(brands('a', 1)).toHaveLength(1);
  });
});
