/** The list readers: nomenclature XLSX and CSV export, price JSON and CSV, bad files. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readNomenclature, readNomenclatureCsv } from '../../src/adapters/catalog-files/nomenclature.ts';
import { readPriceCsv, readPriceJson, readPrices } from '../../src/adapters/catalog-files/prices.ts';
import { isChifaError } from '../../src/core/errors.ts';

const FIX = join(import.meta.dirname, '..', 'fixtures', 'catalog');
const fx = (name: string) => join(FIX, name);

/** A small nomenclature in the ministry's shape: title rows, stray header spaces, three sheets, serial and text dates. */
export async function writeNomenclatureXlsx(path: string): Promise<void> {
  const wb = new ExcelJS.Workbook();
  const titles = (ws: ExcelJS.Worksheet) => {
    ws.addRow([]);
    ws.addRow([null, 'REPUBLIQUE ALGERIENNE DEMOCRATIQUE ET POPULAIRE  ']);
    ws.addRow([null, 'MINISTERE DE LA SANTE']);
    ws.addRow([]);
    ws.addRow([null, { richText: [{ text: 'NOMENCLATURE NATIONALE ' }, { text: 'AU 31 DECEMBRE 2019' }] }]);
  };
  const inForce = wb.addWorksheet('nomenclature décembre 2019');
  titles(inForce);
  inForce.addRow([null, 'N°', 'N°ENREGISTREMENT', ' CODE', 'DENOMINATION COMMUNE INTERNATIONALE', 'NOM DE  MARQUE', 'FORME ', 'DOSAGE', 'COND', 'LISTE', 'P1', 'P2', 'OBS',
    "LABORATOIRES DETENTEUR DE LA DECISION D'ENREGISTREMENT", "PAYS DU LABORATOIRE DETENTEUR DE LA DECISION D'ENREGISTREMENT",
    "DATE D'ENREGISTREMENT INITIAL ", "DATE D'ENREGISTREMENT  FINAL ", 'TYPE', 'STATUT', 'DUREE DE STABILITE']);
  inForce.addRow([null, 1, '352/01 A 003/06/22', '01 A 003', 'PARACETAMOL', 'DOLIPRANE', 'COMPRIME', 500, 'B/16', 'Liste II', 'HOP', 'OFF', null, 'SANOFI', 'FRANCE', new Date(Date.UTC(2006, 2, 12)), 44593, 'Ré', 'I', '36 MOIS']);
  inForce.addRow([null, 2, '414/ 16 D 103 /08 ', '16 D 103', 'ARIPIPRAZOLE', 'ABILIFY', 'COMP', '10MG', 'B/28', 'Liste I', 'HOP', 'OFF', null, 'OTSUKA', 'JAPON', '05/07/2008', ' 25 /07/2017', 'Ré', 'I']);
  inForce.addRow([]);
  inForce.addRow([null, 3, null, null, 'ORPHELIN', 'SANS NUMERO']);
  inForce.addRow([null, 4, '500/01 A 001/01', '01 A 001', 'X', 'XDRUG', 'COMP', '1MG', 'B/1', null, 'HOP', null, null, 'LAB', 'INDE', 'INDE', null, 'Gé', 'I']);
  const withdrawn = wb.addWorksheet("retraits jusqu'à décembre 2019");
  titles(withdrawn);
  withdrawn.addRow([]);
  withdrawn.addRow([null, 'N°', 'N°ENREGISTREMENT', 'CODE', 'DENOMINATION COMMUNE INTERNATIONALE', 'NOM DE MARQUE', 'FORME', 'DOSAGE', 'COND', 'LISTE', 'P1', 'P2',
    "LABORATOIRES DETENTEUR DE LA DECISION D'ENREGISTREMENT", "PAYS DU LABORATOIRE DETENTEUR DE LA DECISION D'ENREGISTREMENT",
    "DATE D'ENREGISTREMENT INITIAL ", 'TYPE', 'STATUT', 'DATE DE RETRAIT', 'MOTIF DE RETRAIT']);
  withdrawn.addRow([null, 1, '041/ 22 E 021 /97', '22 E 021', 'TIXOCORTOL', 'PIVALONE', 'SUSP', '1G', 'B/6', 'Liste I', 'HOP', null, 'JOUVEINAL', 'FRANCE', new Date(Date.UTC(1999, 5, 26)), 'Ré', 'I', new Date(Date.UTC(2003, 6, 1)), 'RETRAIT PAR LE DETENTEUR']);
  withdrawn.addRow([null, 2, '182/ 20 A 006 /98', '20 A 006', 'CROMOGLYCATE', 'CROMAL', 'PDRE', '5MG', 'FL', 'Liste II', 'HOP', 'OFF', 'CIPLA', 'INDE', '15/12/1998', 'Gé', 'I', 'RETRAIT LE 10/07/2017', 'MOTIF COMMERCIAL']);
  withdrawn.addRow([null, 3, '183/ 20 A 007 /98', '20 A 007', 'X', 'ABROGE', 'PDRE', '5MG', 'FL', null, 'HOP', null, 'CIPLA', 'INDE', null, 'Gé', 'I', 'ABROGATION', 'NON RENOUVELEE']);
  const notRenewed = wb.addWorksheet('les mdts non renouvellés');
  titles(notRenewed);
  notRenewed.addRow([null, 'N°', 'N°ENREGISTREMENT', 'CODE', 'DENOMINATION COMMUNE INTERNATIONALE', 'NOM DE MARQUE', 'FORME', 'DOSAGE', 'COND', 'LISTE', 'P1', 'P2', 'OBS',
    "LABORATOIRES DETENTEUR DE LA DECISION D'ENREGISTREMENT", "PAYS DU LABORATOIRE DETENTEUR DE LA DECISION D'ENREGISTREMENT",
    "DATE D'ENREGISTREMENT INITIAL ", "DATE D'ENREGISTREMENT  FINAL ", 'TYPE', 'STATUT']);
  notRenewed.addRow([null, 1, '027/ 01 A 004 /97', '01 A 004', 'DEXCHLORPHENIRAMINE', 'POLARAMINE', 'SOL.INJ.', '5MG/ML', 'B/05', null, 'HOP', 'OFF', null, 'SCHERING', 'FRANCE', 36333, 36333, 'Ré', 'I']);
  notRenewed.addRow([null, 2, '352/01 A 003/06/22', '01 A 003', 'PARACETAMOL', 'DOLIPRANE', 'COMPRIME', '500MG', 'B/16', null, 'HOP', 'OFF', null, 'SANOFI', 'FRANCE', null, null, 'Ré', 'I']);
  wb.addWorksheet('notes').addRow(['Notes of the editor, not a list']);
  await wb.xlsx.writeFile(path);
}

describe('nomenclature XLSX', () => {
  let path = '';
  beforeAll(async () => {
    path = join(mkdtempSync(join(tmpdir(), 'chifa-xlsx-')), 'nomenclature.xlsx');
    await writeNomenclatureXlsx(path);
  });

  it('reads the three sheets under their title rows, matching headers with stray spaces', async () => {
    const l = await readNomenclature(path);
    expect(l.file).toBe('nomenclature.xlsx');
    expect(l.read).toBe(9);
    expect(l.skipped).toEqual([
      { file: 'nomenclature.xlsx', sheet: 'nomenclature décembre 2019', row: 10, field: 'N°ENREGISTREMENT', value: null, code: 'no-registration', message: expect.any(String) },
    ]);
    const regs = l.rows.map((r) => [r.row.registration, r.row.sheet, r.sheet, r.line]);
    expect(regs).toEqual([
      ['414/ 16 D 103 /08', 'in-force', 'nomenclature décembre 2019', 8],
      ['500/01 A 001/01', 'in-force', 'nomenclature décembre 2019', 11],
      ['041/ 22 E 021 /97', 'withdrawn', "retraits jusqu'à décembre 2019", 8],
      ['182/ 20 A 006 /98', 'withdrawn', "retraits jusqu'à décembre 2019", 9],
      ['183/ 20 A 007 /98', 'withdrawn', "retraits jusqu'à décembre 2019", 10],
      ['027/ 01 A 004 /97', 'not-renewed', 'les mdts non renouvellés', 7],
      ['352/01 A 003/06/22', 'not-renewed', 'les mdts non renouvellés', 8],
    ]);
  });

  it('reads dates as Excel dates, serial numbers or DD/MM/YYYY text, and keeps withdrawal notes', async () => {
    const l = await readNomenclature(path);
    const by = (reg: string) => l.rows.find((r) => r.row.registration === reg)!.row;
    expect(by('414/ 16 D 103 /08')).toMatchObject({ initialDate: '2008-07-05', finalDate: '2017-07-25', brand: 'ABILIFY', packaging: 'B/28', stability: null });
    expect(by('027/ 01 A 004 /97')).toMatchObject({ initialDate: '1999-06-22', finalDate: '1999-06-22' });
    expect(by('041/ 22 E 021 /97')).toMatchObject({ initialDate: '1999-06-26', withdrawalDate: '2003-07-01', withdrawalReason: 'RETRAIT PAR LE DETENTEUR', withdrawalNote: null });
    expect(by('182/ 20 A 006 /98')).toMatchObject({ initialDate: '1998-12-15', withdrawalDate: '2017-07-10', withdrawalNote: 'RETRAIT LE 10/07/2017' });
    expect(by('183/ 20 A 007 /98')).toMatchObject({ withdrawalDate: null, withdrawalNote: 'ABROGATION' });
    expect(by('500/01 A 001/01')).toMatchObject({ initialDate: null, dosage: '1MG', list: null });
    expect(l.warnings.find((w) => w.code === 'unreadable-date')).toEqual({
      file: 'nomenclature.xlsx', sheet: 'nomenclature décembre 2019', row: 11, field: "DATE D'ENREGISTREMENT INITIAL", value: 'INDE', code: 'unreadable-date', message: expect.any(String),
    });
  });

  it('reports a number given twice, the later row winning (here across sheets)', async () => {
    const l = await readNomenclature(path);
    const dup = l.warnings.filter((w) => w.code === 'duplicate-registration');
    expect(dup).toEqual([
      { file: 'nomenclature.xlsx', sheet: 'les mdts non renouvellés', row: 8, field: 'registration', value: '352/01 A 003/06/22', code: 'duplicate-registration', message: expect.stringContaining('nomenclature décembre 2019') },
    ]);
    expect(l.rows.filter((r) => r.row.registration === '352/01 A 003/06/22').map((r) => r.row.sheet)).toEqual(['not-renewed']);
  });

  it('refuses a file that is not a workbook, naming it', async () => {
    await expect(readNomenclature(fx('not-a-workbook.xlsx'))).rejects.toSatisfy((e) => isChifaError(e, 'invalid-input') && /not-a-workbook\.xlsx/.test((e as Error).message));
  });

  it('refuses a workbook with no nomenclature header', async () => {
    const p = join(mkdtempSync(join(tmpdir(), 'chifa-xlsx-')), 'other.xlsx');
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('x').addRow(['a', 'b']);
    await wb.xlsx.writeFile(p);
    await expect(readNomenclature(p)).rejects.toSatisfy((e) => isChifaError(e, 'invalid-input') && /other\.xlsx.*N°ENREGISTREMENT/.test((e as Error).message));
  });
});

describe('nomenclature CSV export', () => {
  it('skips the BOM, title rows and bare-semicolon rows, reads quoted fields and DD/MM/YYYY dates', () => {
    const l = readNomenclatureCsv(fx('nomenclature-export.csv'));
    expect(l.read).toBe(5);
    expect(l.skipped.map((s) => [s.row, s.code])).toEqual([[8, 'no-registration']]);
    const abilify = l.rows.find((r) => r.row.brand === 'ABILIFY')!;
    expect(abilify.line).toBe(7);
    expect(abilify.row).toMatchObject({ registration: '414/ 16 D 103 /08', packaging: 'B/28; BLISTER', obs: 'RESERVE "HOPITAL"', initialDate: '2008-07-05', finalDate: null, inn: 'ARIPIPRAZOLE', sheet: 'in-force' });
  });

  it('keeps the later of two rows with one number, and reports it with unreadable dates', () => {
    const l = readNomenclatureCsv(fx('nomenclature-export.csv'));
    const doliprane = l.rows.filter((r) => r.row.brand === 'DOLIPRANE');
    expect(doliprane.map((r) => [r.line, r.row.packaging, r.row.initialDate])).toEqual([[11, 'B/16 ET B/100', '2006-03-12']]);
    expect(l.warnings.map((w) => [w.row, w.code, w.field, w.value])).toEqual([
      [11, 'unreadable-date', "DATE D'ENREGISTREMENT FINAL", 'pas de date'],
      [11, 'duplicate-registration', 'registration', '352/01 A 003/06/22'],
    ]);
  });

  it('refuses a CSV without the header, naming the file', () => {
    expect(() => readNomenclatureCsv(fx('no-header.csv'))).toThrow(/no-header\.csv: no header row/);
  });
});

describe('price JSON list', () => {
  it('numbers items by position in file order and reads amounts, flags and descriptions', () => {
    const l = readPriceJson(fx('prices-list.json'));
    expect(l.read).toBe(7);
    expect(l.rows.map((r) => [r.line, r.row.registration, r.row.ppa, r.row.tariff, r.row.reimbursable, r.row.validFrom])).toEqual([
      [1, '414/ 16 D 103 /08', 655200, 545272, true, null],
      [2, '414/ 16 D 104 /08', null, 702000, true, null],
      [7, '777/02B002/19', 130000, null, false, null],
    ]);
    expect(l.rows[0]!.row).toMatchObject({ brand: 'ABILIFY', inn: 'ARIPIPRAZOLE', laboratory: 'OTSUKA', pharmacologicalClass: 'NEUROLEPTIQUES' });
  });

  it('skips rows without a number or any readable amount, and warns about what it leaves out', () => {
    const l = readPriceJson(fx('prices-list.json'));
    expect(l.skipped.map((s) => [s.row, s.code, s.field, s.value])).toEqual([
      [3, 'no-amount', 'PPA', 'N/A'],
      [4, 'no-registration', 'Num Enregistrement', ''],
      [5, 'no-registration', 'Num Enregistrement', null],
    ]);
    expect(l.warnings.map((w) => [w.row, w.code, w.field, w.value])).toEqual([
      [2, 'unreadable-amount', 'PPA', '-- DA'],
      [6, 'unreadable-amount', 'Tarif de reference', 'O DA'],
      [7, 'unreadable-amount', 'Tarif de reference', null],
      [7, 'duplicate-registration', 'registration', '777/02B002/19'],
    ]);
    for (const i of [...l.skipped, ...l.warnings]) expect(Object.keys(i).sort()).toEqual(['code', 'field', 'file', 'message', 'row', 'sheet', 'value']);
  });

  it('refuses JSON of another shape', () => {
    const p = join(mkdtempSync(join(tmpdir(), 'chifa-json-')), 'list.json');
    writeFileSync(p, '[1, 2]');
    expect(() => readPrices(p)).toThrow(/list\.json: not a price list/);
    writeFileSync(p, '{ nope');
    expect(() => readPrices(p)).toThrow(/list\.json: not JSON/);
  });
});

describe('price CSV', () => {
  it('reads dinars in the amount grammar, the reimbursable flag and the validity date', () => {
    const l = readPriceCsv(fx('prices.csv'));
    expect(l.read).toBe(7);
    expect(l.rows.map((r) => [r.line, r.row.registration, r.row.ppa, r.row.tariff, r.row.reimbursable, r.row.validFrom])).toEqual([
      [2, '352/01 A 003/06/22', 584220, 19474, true, null],
      [3, '414/16D103/08/16', 584227, null, true, '2025-01-01'],
      [4, '285/06E053/97', 89900, 31300, true, null],
      [8, '123/45A678/90', 9000, null, false, null],
    ]);
    expect(l.skipped.map((s) => [s.row, s.code])).toEqual([[5, 'no-registration'], [6, 'no-amount']]);
    expect(l.warnings.map((w) => [w.row, w.code, w.field])).toEqual([
      [3, 'unreadable-amount', 'tariff'],
      [7, 'unreadable-amount', 'tariff'],
      [8, 'unreadable-amount', 'tariff'],
      [8, 'duplicate-registration', 'registration'],
    ]);
  });

  it('refuses a CSV with other columns, naming the file', () => {
    expect(() => readPriceCsv(fx('prices-wrong-columns.csv'))).toThrow(/prices-wrong-columns\.csv: the header must be/);
  });
});
