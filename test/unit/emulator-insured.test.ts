/**
 * The insured card emulator is the reference the terminal is tested against: every
 * command of card-profile.md §2 and §5 with its exact status words and data.
 */
import { readFileSync } from 'node:fs';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { concat, fromHex, hex } from '../../src/core/bytes.ts';
import { encodeTemplate, encodeTlv } from '../../src/core/tlv.ts';
import { encodeEmergency, encodeIdentityFiles, encodeSignatureFile } from '../../src/core/card/encode.ts';
import { decodeHistoryRecord, encodeHistoryRecord } from '../../src/core/card/history.ts';
import type { CardIdentity, HistoryRecord } from '../../src/core/card/model.ts';
import { INSURED_AID, PROFESSIONAL_AID } from '../../src/core/card/profile.ts';
import { challengeDigest, encodeProfessionalCertificate } from '../../src/core/card/professional.ts';
import { signedMessage, signDigest, signP256, verifyCardSignature } from '../../src/core/card/signature.ts';
import { loadTrustDirectory, privateKeyFromPem, publicKeyFromPem } from '../../src/adapters/keys.ts';
import { InsuredCardEmulator, type InsuredCardImages, type InsuredCardOptions } from '../../src/emulator/insured-card.ts';
import { ProfessionalKeyEmulator } from '../../src/emulator/professional-key.ts';
import { loadVirtualCard } from '../../src/emulator/document.ts';
import { isChifaError } from '../../src/core/errors.ts';

const KEYS = join(import.meta.dirname, '../../data/demo/keys');
const TRUST_DIR = join(KEYS, 'issuer');
const pem = (p: string) => readFileSync(join(KEYS, p), 'utf8');
const ISSUER_PRIV = privateKeyFromPem(pem('issuer/CNAS-TEST-2026.key.pem'));
const PH_PRIV = privateKeyFromPem(pem('professional/PH-TEST-0001.key.pem'));
const PH_PUB = publicKeyFromPem(pem('professional/PH-TEST-0001.pub.pem'));
const MD_PRIV = privateKeyFromPem(pem('professional/MD-TEST-0002.key.pem'));
const MD_PUB = publicKeyFromPem(pem('professional/MD-TEST-0002.pub.pem'));
const trust = loadTrustDirectory(TRUST_DIR);

const SERIAL = '00A1B2C3D4E5F601';

const identity: CardIdentity = {
  card: { serial: SERIAL, fund: 'CNAS', agency: '16-001', issued: '2024-03-01', expires: '2029-02-28', type: 'family' },
  holder: {
    nss: '501234567890',
    surname: 'BENALI',
    givenNames: 'AHMED',
    surnameAr: 'بن علي',
    givenNamesAr: 'أحمد',
    birthDate: '1950-00-00',
    sex: 'M',
    wilaya: '16',
    status: 'pensioner',
    rate: 10000,
    chronicConditions: [{ code: 12, validUntil: '2027-06-30' }],
  },
  rights: { validFrom: '2026-01-01', validTo: '2026-12-31', status: 'active', defaultRate: 8000, thirdPartyPayment: true },
  beneficiaries: [
    {
      index: 1,
      relationship: 'spouse',
      surname: 'BENALI',
      givenNames: 'FATIMA',
      surnameAr: null,
      givenNamesAr: null,
      birthDate: '1955-03-12',
      sex: 'F',
      rate: null,
      chronicConditions: [],
    },
  ],
};

const files = encodeIdentityFiles(identity);
const emergency = encodeEmergency({ bloodGroup: 'O+', allergies: 'pénicilline', emergencyContact: null, notes: null });
const signature = encodeSignatureFile('CNAS-TEST-2026', signP256(signedMessage(files), ISSUER_PRIV));

function historyRecord(n: number): HistoryRecord {
  return {
    date: '2026-01-15',
    pharmacy: 'PH-16-0001',
    beneficiary: 0,
    claimId: `0190a6d2-7b1c-7000-8000-${n.toString(16).padStart(12, '0')}`,
    total: 89900 + n,
    fund: 71920,
    items: 2,
  };
}

function card(over: Partial<InsuredCardImages> = {}, opts: InsuredCardOptions = {}): InsuredCardEmulator {
  return new InsuredCardEmulator(
    { ...files, emergency, signature, history: [], pin: '1234', trust, ...over },
    { random: () => fromHex('0102030405060708'), ...opts },
  );
}

function psKey(role: 'pharmacist' | 'physician' = 'pharmacist', signer = ISSUER_PRIV, fundKeyId = 'CNAS-TEST-2026') {
  const [priv, pub, id] = role === 'pharmacist' ? [PH_PRIV, PH_PUB, 'PH-TEST-0001'] : [MD_PRIV, MD_PUB, 'MD-TEST-0002'];
  const efPs = encodeProfessionalCertificate(
    { id, name: 'Test', role, validUntil: '2030-12-31', publicKey: pub },
    fundKeyId,
    (m) => signP256(m, signer),
  );
  return { efPs, key: new ProfessionalKeyEmulator({ efPs, privateKey: priv, pin: '4321' }) };
}

/** Sends hex, answers `data SW` as upper-case hex with the status word apart. */
function tx(c: { process(a: Uint8Array): Uint8Array }, apdu: string | Uint8Array): { data: string; sw: string } {
  const r = c.process(typeof apdu === 'string' ? fromHex(apdu) : apdu);
  return { data: hex(r.subarray(0, r.length - 2), true), sw: hex(r.subarray(r.length - 2), true) };
}
const sw = (c: { process(a: Uint8Array): Uint8Array }, apdu: string | Uint8Array) => tx(c, apdu).sw;

const SELECT = '00A4040C07' + hex(INSURED_AID, true);
const SELECT_PS = '00A4040C09' + hex(PROFESSIONAL_AID, true);
const PIN_1234 = '002000810831323334FFFFFFFF';
const PIN_9999 = '002000810839393939FFFFFFFF';
const PIN_STATUS = '00200081';
const GET_CHALLENGE = '0084000008';

function apdu(head: string, data: Uint8Array, le?: string): Uint8Array {
  return concat(fromHex(head), Uint8Array.of(data.length), data, le === undefined ? new Uint8Array(0) : fromHex(le));
}

/** Opens a professional session on `c` the way §5 says, with the real test keys. */
function openSession(c: InsuredCardEmulator, role: 'pharmacist' | 'physician' = 'pharmacist'): void {
  const { efPs, key } = psKey(role);
  expect(sw(key, SELECT_PS)).toBe('9000');
  expect(sw(key, '002000810834333231FFFFFFFF')).toBe('9000');
  expect(sw(c, apdu('002A00BE', efPs))).toBe('9000');
  const r = tx(c, GET_CHALLENGE);
  expect(r.sw).toBe('9000');
  const s = tx(key, apdu('002A9E9A', challengeDigest(fromHex(r.data), fromHex(SERIAL)), '00'));
  expect(s.sw).toBe('9000');
  expect(sw(c, apdu('00820000', concat(fromHex('C740'), fromHex(s.data))))).toBe('9000');
}

const append = (record: Uint8Array) => apdu('00E20030', record);

describe('insured card: transport rules', () => {
  it('answers 69 85 to every command before SELECT', () => {
    const c = card();
    for (const a of ['00B0810000', '00B0000000', '00B2013400', PIN_1234, PIN_STATUS, GET_CHALLENGE]) {
      expect(sw(c, a)).toBe('6985');
    }
    expect(sw(c, apdu('002A00BE', psKey().efPs))).toBe('6985');
    expect(sw(c, apdu('00820000', concat(fromHex('C740'), new Uint8Array(64))))).toBe('6985');
    expect(sw(c, append(encodeHistoryRecord(historyRecord(1))))).toBe('6985');
  });

  it('answers 6E 00 to CLA ≠ 00 and 6D 00 to an unknown INS, selected or not', () => {
    const c = card();
    expect(sw(c, '80A4040C07' + hex(INSURED_AID))).toBe('6E00');
    expect(sw(c, '00CA000000')).toBe('6D00');
    expect(sw(c, SELECT)).toBe('9000');
    expect(sw(c, '0CB0810000')).toBe('6E00');
    expect(sw(c, '00CA000000')).toBe('6D00');
    expect(sw(c, '0000000000')).toBe('6D00');
  });

  it('answers 67 00 to an APDU of no ISO shape', () => {
    const c = card();
    expect(sw(c, '00A404')).toBe('6700');
    expect(sw(c, '00A4040C09' + hex(INSURED_AID))).toBe('6700'); // Lc says 9, 7 follow
    expect(sw(c, SELECT)).toBe('9000');
    expect(sw(c, '00B08100')).toBe('6700'); // READ BINARY without Le
    expect(sw(c, '00B081000100')).toBe('6700'); // with data
    expect(sw(c, '00B2013C')).toBe('6700');
    expect(sw(c, '0084000000')).toBe('6700'); // GET CHALLENGE with Le 256
    expect(sw(c, '00840000')).toBe('6700');
    expect(sw(c, '002000810431323334')).toBe('6700'); // PIN block not 8 bytes
    expect(sw(c, '00200081083132333435FFFFFF00')).toBe('6700'); // VERIFY with Le
  });

  it('SELECT: 90 00 for the insured AID, 6A 82 for any other, the failed one keeping the selection', () => {
    const c = card();
    expect(sw(c, SELECT_PS)).toBe('6A82');
    expect(sw(c, '00B0810000')).toBe('6985');
    expect(sw(c, SELECT)).toBe('9000');
    expect(sw(c, SELECT_PS)).toBe('6A82');
    expect(sw(c, '00A4040C06F04348494641')).toBe('6A82'); // a prefix is not the AID
    expect(tx(c, '00B0810000').sw).toBe('6282');
    expect(sw(c, '00A4040C')).toBe('6700');
  });

  it('a failed SELECT keeps the security state, a successful one drops it', () => {
    const c = card();
    sw(c, SELECT);
    expect(sw(c, PIN_1234)).toBe('9000');
    expect(sw(c, SELECT_PS)).toBe('6A82');
    expect(sw(c, PIN_STATUS)).toBe('9000');
    expect(sw(c, SELECT)).toBe('9000');
    expect(sw(c, PIN_STATUS)).toBe('63C3');
  });

  it('reset and power-off lose the selection and the security state', () => {
    const c = card();
    sw(c, SELECT);
    sw(c, PIN_1234);
    c.reset();
    expect(sw(c, PIN_STATUS)).toBe('6985');
    sw(c, SELECT);
    expect(sw(c, PIN_STATUS)).toBe('63C3');
    sw(c, PIN_1234);
    c.powerOff();
    c.powerOn();
    sw(c, SELECT);
    expect(sw(c, PIN_STATUS)).toBe('63C3');
  });
});

describe('insured card: READ BINARY', () => {
  it('by SFI at offset 0 with Le 00 gives the whole small file and 62 82', () => {
    const c = card();
    sw(c, SELECT);
    const r = tx(c, '00B0810000');
    expect(r).toEqual({ data: hex(files.icc, true), sw: '6282' });
    expect(tx(c, '00B0820000')).toEqual({ data: hex(files.holder, true), sw: '6282' });
    expect(tx(c, '00B0830000')).toEqual({ data: hex(files.rights, true), sw: '6282' });
    expect(tx(c, '00B0840000')).toEqual({ data: hex(files.beneficiaries, true), sw: '6282' });
    expect(tx(c, '00B0870000')).toEqual({ data: hex(signature, true), sw: '6282' });
  });

  it('gives exactly Le bytes with 90 00 when enough remain, 62 82 when fewer', () => {
    const c = card();
    sw(c, SELECT);
    const n = files.icc.length;
    expect(tx(c, '00B0810004')).toEqual({ data: hex(files.icc.subarray(0, 4), true), sw: '9000' });
    expect(tx(c, '00B08100' + n.toString(16).padStart(2, '0'))).toEqual({ data: hex(files.icc, true), sw: '9000' });
    expect(tx(c, '00B08102' + n.toString(16).padStart(2, '0'))).toEqual({ data: hex(files.icc.subarray(2), true), sw: '6282' });
  });

  it('6B 00 at or past the end of the file; 6A 82 for no such file; 69 81 for the record file', () => {
    const c = card();
    sw(c, SELECT);
    const n = files.icc.length;
    expect(tx(c, '00B081' + (n - 1).toString(16).padStart(2, '0') + '00')).toEqual({
      data: hex(files.icc.subarray(n - 1), true),
      sw: '6282',
    });
    expect(sw(c, '00B081' + n.toString(16).padStart(2, '0') + '00')).toBe('6B00');
    expect(sw(c, '00B081FF00')).toBe('6B00');
    expect(sw(c, '00B0880000')).toBe('6A82');
    expect(sw(c, '00B09F0000')).toBe('6A82');
    expect(sw(c, '00B0860000')).toBe('6981');
  });

  it('current-file form: 69 86 before any file was read by SFI, then reads the last file read by SFI', () => {
    const c = card();
    sw(c, SELECT);
    expect(sw(c, '00B0000000')).toBe('6986');
    tx(c, '00B0820002');
    expect(tx(c, '00B0000200')).toEqual({ data: hex(files.holder.subarray(2), true), sw: '6282' });
    expect(tx(c, '00B0000005')).toEqual({ data: hex(files.holder.subarray(0, 5), true), sw: '9000' });
    // A failed SFI read of an absent file does not change the current file.
    expect(sw(c, '00B0880000')).toBe('6A82');
    expect(tx(c, '00B0000001').data).toBe(hex(files.holder.subarray(0, 1), true));
    // SELECT forgets it.
    sw(c, SELECT);
    expect(sw(c, '00B0000000')).toBe('6986');
  });

  it('serves files larger than 256 bytes through 15-bit offsets, padding included', () => {
    const c = card({}, { padding: { byte: 0x00, size: { holder: 600 } } });
    sw(c, SELECT);
    const first = tx(c, '00B0820000');
    expect(first.sw).toBe('9000');
    expect(first.data.length).toBe(512);
    expect(first.data.startsWith(hex(files.holder, true))).toBe(true);
    const second = tx(c, '00B0010000');
    expect(second.sw).toBe('9000');
    expect(second.data).toBe('00'.repeat(256));
    expect(tx(c, '00B0020000')).toEqual({ data: '00'.repeat(88), sw: '6282' });
    expect(sw(c, '00B0025800')).toBe('6B00'); // offset 600
    expect(sw(c, '00B07FFF01')).toBe('6B00');
    expect(tx(c, '00B0025701')).toEqual({ data: '00', sw: '9000' }); // offset 599, the last byte
  });

  it('pads with FF when asked', () => {
    const c = card({}, { padding: { size: 100 } });
    sw(c, SELECT);
    const r = tx(c, '00B0810000');
    expect(r.sw).toBe('6282');
    expect(r.data).toBe(hex(files.icc, true) + 'FF'.repeat(100 - files.icc.length));
  });

  it('EF.EMERGENCY: 69 82 before the holder PIN, its data after; 6A 82 when absent', () => {
    const c = card();
    sw(c, SELECT);
    expect(sw(c, '00B0850000')).toBe('6982');
    // The refused SFI read still made the file current: the current form is refused too.
    expect(sw(c, '00B0000000')).toBe('6982');
    expect(sw(c, PIN_1234)).toBe('9000');
    expect(tx(c, '00B0850000')).toEqual({ data: hex(emergency, true), sw: '6282' });
    const d = card({ emergency: null });
    sw(d, SELECT);
    expect(sw(d, '00B0850000')).toBe('6A82');
    sw(d, PIN_1234);
    expect(sw(d, '00B0850000')).toBe('6A82');
  });

  it('EF.SIGNATURE absent: 6A 82', () => {
    const c = card({ signature: null });
    sw(c, SELECT);
    expect(sw(c, '00B0870000')).toBe('6A82');
  });

  it('the served files verify against the test issuer key', () => {
    expect(verifyCardSignature({ ...files, signature }, trust)).toEqual({ keyId: 'CNAS-TEST-2026', status: 'valid' });
  });
});

describe('insured card: holder PIN', () => {
  it('counts 63 C2, 63 C1, then 69 83 for ever, the right PIN included', () => {
    const c = card();
    sw(c, SELECT);
    expect(sw(c, PIN_STATUS)).toBe('63C3');
    expect(sw(c, PIN_9999)).toBe('63C2');
    expect(sw(c, PIN_STATUS)).toBe('63C2');
    expect(sw(c, PIN_9999)).toBe('63C1');
    expect(sw(c, PIN_9999)).toBe('6983');
    expect(c.pinTriesLeft).toBe(0);
    expect(sw(c, PIN_1234)).toBe('6983');
    expect(sw(c, PIN_STATUS)).toBe('6983');
    c.reset();
    sw(c, SELECT);
    expect(sw(c, PIN_1234)).toBe('6983');
    expect(sw(c, '00B0850000')).toBe('6982');
  });

  it('a right PIN before the third wrong one resets the count', () => {
    const c = card();
    sw(c, SELECT);
    expect(sw(c, PIN_9999)).toBe('63C2');
    expect(sw(c, PIN_9999)).toBe('63C1');
    expect(sw(c, PIN_1234)).toBe('9000');
    expect(sw(c, PIN_STATUS)).toBe('9000');
    expect(sw(c, PIN_9999)).toBe('63C2');
    // A wrong PIN also undoes the verification.
    expect(sw(c, PIN_STATUS)).toBe('63C2');
    expect(sw(c, '00B0850000')).toBe('6982');
  });

  it('the try counter survives reset and power-off', () => {
    const c = card();
    sw(c, SELECT);
    sw(c, PIN_9999);
    c.powerOff();
    c.powerOn();
    sw(c, SELECT);
    expect(sw(c, PIN_STATUS)).toBe('63C2');
  });

  it('accepts 4 to 8 digit PINs padded with FF', () => {
    const c = card({ pin: '12345678' });
    sw(c, SELECT);
    expect(sw(c, '00200081083132333435363737')).toBe('63C2');
    expect(sw(c, '00200081083132333435363738')).toBe('9000');
  });

  it('refuses a PIN block that is not 4–8 digits padded with FF with 6A 80, spending no try', () => {
    const c = card();
    sw(c, SELECT);
    for (const block of ['313233FFFFFFFFFF', '31323334FFFFFF00', '3132333400000000', '31FF3233FFFFFFFF', '41424344FFFFFFFF', 'FFFFFFFFFFFFFFFF']) {
      expect(sw(c, '0020008108' + block)).toBe('6A80');
    }
    expect(sw(c, PIN_STATUS)).toBe('63C3');
  });

  it('answers 6A 86 to another PIN reference', () => {
    const c = card();
    sw(c, SELECT);
    expect(sw(c, '002000800831323334FFFFFFFF')).toBe('6A86');
    expect(sw(c, PIN_STATUS)).toBe('63C3');
  });
});

describe('insured card: professional session (§5) with the test keys', () => {
  it('a pharmacist session reads EF.HISTORY and appends to it', () => {
    const records = [1, 2].map((n) => encodeHistoryRecord(historyRecord(n)));
    const c = card({ history: records });
    sw(c, SELECT);
    expect(sw(c, '00B2013400')).toBe('6982');
    openSession(c);
    expect(c.sessionRole).toBe('pharmacist');
    expect(tx(c, '00B2013400')).toEqual({ data: hex(records[0]!, true), sw: '9000' });
    expect(tx(c, '00B2023400')).toEqual({ data: hex(records[1]!, true), sw: '9000' });
    expect(sw(c, '00B2033400')).toBe('6A83');
    expect(sw(c, '00B2003400')).toBe('6A83');
    const fresh = encodeHistoryRecord(historyRecord(3));
    expect(sw(c, append(fresh))).toBe('9000');
    expect(tx(c, '00B2013400').data).toBe(hex(fresh, true));
    expect(tx(c, '00B2033400').data).toBe(hex(records[1]!, true));
    expect(c.history.map((r) => decodeHistoryRecord(r).total)).toEqual([89903, 89901, 89902]);
  });

  it('READ RECORD of an empty EF.HISTORY is 6A 83; Le shorter than the record is 6C XX', () => {
    const c = card();
    sw(c, SELECT);
    openSession(c);
    expect(sw(c, '00B2013400')).toBe('6A83');
    const r = encodeHistoryRecord(historyRecord(1));
    sw(c, append(r));
    expect(sw(c, '00B2013410')).toBe('6C' + r.length.toString(16).toUpperCase().padStart(2, '0'));
    expect(tx(c, '00B20134' + r.length.toString(16).padStart(2, '0'))).toEqual({ data: hex(r, true), sw: '9000' });
    expect(sw(c, '00B2013C00')).toBe('6981'); // SFI 7, a transparent file
    expect(sw(c, '00B2014400')).toBe('6A82'); // SFI 8
    expect(sw(c, '00B2013000')).toBe('6A86'); // P2 not SFI*8+4
  });

  it('keeps 40 records, record 1 the newest, the oldest falling off', () => {
    const c = card({ history: [] });
    sw(c, SELECT);
    openSession(c);
    for (let n = 1; n <= 41; n++) expect(sw(c, append(encodeHistoryRecord(historyRecord(n))))).toBe('9000');
    expect(c.history).toHaveLength(40);
    expect(decodeHistoryRecord(fromHex(tx(c, '00B2013400').data)).total).toBe(89900 + 41);
    expect(decodeHistoryRecord(fromHex(tx(c, '00B2283400').data)).total).toBe(89900 + 2);
    expect(sw(c, '00B2293400')).toBe('6A83');
  });

  it('APPEND RECORD: 6A 84 over 64 bytes, 6A 80 when not exactly one EA template', () => {
    const c = card();
    sw(c, SELECT);
    openSession(c);
    const ok = encodeHistoryRecord(historyRecord(1));
    expect(sw(c, append(encodeTlv('EA', new Uint8Array(63))))).toBe('6A84'); // 65 bytes
    expect(sw(c, append(encodeTlv('EA', encodeTlv('C0', new Uint8Array(60)))))).toBe('9000'); // 64 bytes exactly
    expect(sw(c, append(encodeTemplate('E1', [encodeTlv('C0', new Uint8Array(2))])))).toBe('6A80');
    expect(sw(c, append(concat(encodeTlv('EA', new Uint8Array(0)), encodeTlv('EA', new Uint8Array(0)))))).toBe('6A80');
    expect(sw(c, append(concat(ok.subarray(0, 20), new Uint8Array(0))))).toBe('6A80'); // truncated
    expect(sw(c, append(concat(ok, Uint8Array.of(0xff))))).toBe('6A80'); // trailing byte
    expect(sw(c, append(fromHex('EA03C00501')))).toBe('6A80'); // content does not parse
    expect(c.history).toHaveLength(1);
    expect(sw(c, apdu('00E20038', ok))).toBe('6981'); // SFI 7
    expect(sw(c, apdu('00E20040', ok))).toBe('6A82'); // SFI 8
    expect(sw(c, apdu('00E20034', ok))).toBe('6A86'); // P2 low bits not 000
    expect(sw(c, concat(append(ok), Uint8Array.of(0)))).toBe('6700'); // with Le
  });

  it('a physician session reads EF.HISTORY but may not append (69 82)', () => {
    const r = encodeHistoryRecord(historyRecord(1));
    const c = card({ history: [r] });
    sw(c, SELECT);
    openSession(c, 'physician');
    expect(c.sessionRole).toBe('physician');
    expect(tx(c, '00B2013400')).toEqual({ data: hex(r, true), sw: '9000' });
    expect(sw(c, append(encodeHistoryRecord(historyRecord(2))))).toBe('6982');
    // Access is checked before the record's length.
    expect(sw(c, append(new Uint8Array(70)))).toBe('6982');
    expect(c.history).toHaveLength(1);
  });

  it('without a session: READ RECORD and APPEND RECORD 69 82', () => {
    const c = card({ history: [encodeHistoryRecord(historyRecord(1))] });
    sw(c, SELECT);
    sw(c, PIN_1234);
    expect(sw(c, '00B2013400')).toBe('6982');
    expect(sw(c, append(encodeHistoryRecord(historyRecord(2))))).toBe('6982');
  });

  it('the session ends on SELECT, reset and power-off', () => {
    const c = card({ history: [encodeHistoryRecord(historyRecord(1))] });
    sw(c, SELECT);
    openSession(c);
    sw(c, SELECT);
    expect(sw(c, '00B2013400')).toBe('6982');
    openSession(c);
    c.reset();
    sw(c, SELECT);
    expect(sw(c, '00B2013400')).toBe('6982');
    openSession(c);
    c.powerOff();
    c.powerOn();
    sw(c, SELECT);
    expect(sw(c, '00B2013400')).toBe('6982');
  });

  it('PSO VERIFY CERTIFICATE: 63 00 when signed by a non-fund key or by an unknown fund key', () => {
    const c = card();
    sw(c, SELECT);
    expect(sw(c, apdu('002A00BE', psKey('pharmacist', PH_PRIV).efPs))).toBe('6300');
    expect(sw(c, apdu('002A00BE', psKey('pharmacist', ISSUER_PRIV, 'CNAS-OTHER-2026').efPs))).toBe('6300');
    expect(sw(c, apdu('002A00BE', psKey('pharmacist', ISSUER_PRIV, '../CNAS-TEST-2026').efPs))).toBe('6300');
    // Nothing kept: EXTERNAL AUTHENTICATE has no certificate.
    sw(c, GET_CHALLENGE);
    expect(sw(c, apdu('00820000', concat(fromHex('C740'), new Uint8Array(64))))).toBe('6985');
  });

  it('PSO VERIFY CERTIFICATE: 6A 80 when malformed', () => {
    const c = card();
    sw(c, SELECT);
    const { efPs } = psKey();
    expect(sw(c, apdu('002A00BE', efPs.subarray(0, efPs.length - 3)))).toBe('6A80');
    expect(sw(c, apdu('002A00BE', concat(efPs, Uint8Array.of(0xff))))).toBe('6A80');
    expect(sw(c, apdu('002A00BE', fromHex('E203C00101')))).toBe('6A80');
    expect(sw(c, apdu('002A00BE', fromHex('E103C00101')))).toBe('6A80'); // mandatory objects missing
    expect(sw(c, apdu('002A00BE', efPs))).toBe('9000');
    expect(sw(c, apdu('002A9E9A', new Uint8Array(32), '00'))).toBe('6A86');
  });

  it('EXTERNAL AUTHENTICATE: 69 85 without challenge or without certificate', () => {
    const c = card();
    sw(c, SELECT);
    const ea = apdu('00820000', concat(fromHex('C740'), new Uint8Array(64)));
    expect(sw(c, ea)).toBe('6985');
    sw(c, GET_CHALLENGE);
    expect(sw(c, ea)).toBe('6985'); // challenge but no certificate
    expect(sw(c, apdu('002A00BE', psKey().efPs))).toBe('9000');
    expect(sw(c, ea)).toBe('6985'); // certificate but the challenge went with the previous command
  });

  it('a challenge serves one EXTERNAL AUTHENTICATE, right or wrong, and dies on any other command', () => {
    const c = card();
    sw(c, SELECT);
    const { efPs, key } = psKey();
    sw(key, SELECT_PS);
    sw(key, '002000810834333231FFFFFFFF');
    expect(sw(c, apdu('002A00BE', efPs))).toBe('9000');
    const sign = (ch: string) => tx(key, apdu('002A9E9A', challengeDigest(fromHex(ch), fromHex(SERIAL)), '00')).data;

    // Wrong signature: 63 00, and the challenge is spent.
    let ch = tx(c, GET_CHALLENGE).data;
    const good = sign(ch);
    expect(sw(c, apdu('00820000', concat(fromHex('C740'), new Uint8Array(64))))).toBe('6300');
    expect(sw(c, apdu('00820000', concat(fromHex('C740'), fromHex(good))))).toBe('6985');

    // Another command in between (even a status-only VERIFY) cancels it.
    ch = tx(c, GET_CHALLENGE).data;
    expect(sw(c, PIN_STATUS)).toBe('63C3');
    expect(sw(c, apdu('00820000', concat(fromHex('C740'), fromHex(sign(ch)))))).toBe('6985');

    // So does a command the card refuses.
    ch = tx(c, GET_CHALLENGE).data;
    expect(sw(c, '00CA000000')).toBe('6D00');
    expect(sw(c, apdu('00820000', concat(fromHex('C740'), fromHex(sign(ch)))))).toBe('6985');

    // A signature over another challenge is refused.
    const other = sign('AAAAAAAAAAAAAAAA');
    tx(c, GET_CHALLENGE);
    expect(sw(c, apdu('00820000', concat(fromHex('C740'), fromHex(other))))).toBe('6300');

    // The certificate stays: a fresh challenge and the right signature open the session.
    ch = tx(c, GET_CHALLENGE).data;
    expect(sw(c, apdu('00820000', concat(fromHex('C740'), fromHex(sign(ch)))))).toBe('9000');
    expect(c.sessionRole).toBe('pharmacist');
  });

  it('EXTERNAL AUTHENTICATE shape: 67 00 for a wrong length, 6A 80 for data not C7 40', () => {
    const c = card();
    sw(c, SELECT);
    sw(c, apdu('002A00BE', psKey().efPs));
    sw(c, GET_CHALLENGE);
    expect(sw(c, apdu('00820000', concat(fromHex('C740'), new Uint8Array(63))))).toBe('6700');
    sw(c, GET_CHALLENGE);
    expect(sw(c, apdu('00820000', concat(fromHex('C640'), new Uint8Array(64))))).toBe('6A80');
  });

  it('a signature by the physician key does not open a session for the pharmacist certificate', () => {
    const c = card();
    sw(c, SELECT);
    sw(c, apdu('002A00BE', psKey('pharmacist').efPs));
    const ch = tx(c, GET_CHALLENGE).data;
    const s = signDigest(challengeDigest(fromHex(ch), fromHex(SERIAL)), MD_PRIV);
    expect(sw(c, apdu('00820000', concat(fromHex('C740'), s)))).toBe('6300');
  });

  it('GET CHALLENGE gives 8 fresh bytes each time', () => {
    let n = 0;
    const c = card({}, { random: (k) => new Uint8Array(k).fill(++n) });
    sw(c, SELECT);
    expect(tx(c, GET_CHALLENGE)).toEqual({ data: '01'.repeat(8), sw: '9000' });
    expect(tx(c, GET_CHALLENGE)).toEqual({ data: '02'.repeat(8), sw: '9000' });
    expect(sw(c, '0084010008')).toBe('6A86');
  });

  it('with a clock (today), an expired certificate is refused 63 00', () => {
    const c = card({ today: () => '2031-01-01' });
    sw(c, SELECT);
    expect(sw(c, apdu('002A00BE', psKey().efPs))).toBe('6300');
  });
});

describe('insured card: transport faults', () => {
  it('chunked: 61 XX then GET RESPONSE chunks, the real status word last', () => {
    const c = card({}, { chunked: 16 });
    sw(c, SELECT);
    const n = files.icc.length;
    let r = tx(c, '00B0810000');
    expect(r).toEqual({ data: '', sw: '6110' });
    let data = '';
    while (r.sw.startsWith('61')) {
      r = tx(c, '00C00000' + r.sw.slice(2));
      data += r.data;
      expect(r.data.length / 2).toBeLessThanOrEqual(16);
    }
    expect(r.sw).toBe('6282');
    expect(data).toBe(hex(files.icc, true));
    expect(n).toBeGreaterThan(16);
    // Small answers come straight.
    expect(tx(c, '00B0810004')).toEqual({ data: hex(files.icc.subarray(0, 4), true), sw: '9000' });
    // GET RESPONSE with nothing waiting.
    expect(sw(c, '00C0000010')).toBe('6985');
  });

  it('chunked: another command drops the rest of the chain', () => {
    const c = card({}, { chunked: 8 });
    sw(c, SELECT);
    expect(tx(c, '00B0810000').sw).toBe('6108');
    expect(sw(c, PIN_STATUS)).toBe('63C3');
    expect(sw(c, '00C0000008')).toBe('6985');
  });

  it('chunked: GET RESPONSE does not cancel a challenge', () => {
    const c = card({}, { chunked: 4 });
    sw(c, SELECT);
    const { efPs, key } = psKey();
    sw(key, SELECT_PS);
    sw(key, '002000810834333231FFFFFFFF');
    expect(sw(c, apdu('002A00BE', efPs))).toBe('9000');
    expect(tx(c, GET_CHALLENGE)).toEqual({ data: '', sw: '6104' });
    const a = tx(c, '00C0000004');
    expect(a.sw).toBe('6104');
    const b = tx(c, '00C0000004');
    expect(b.sw).toBe('9000');
    const s = tx(key, apdu('002A9E9A', challengeDigest(fromHex(a.data + b.data), fromHex(SERIAL)), '00')).data;
    expect(sw(c, apdu('00820000', concat(fromHex('C740'), fromHex(s))))).toBe('9000');
  });

  it('exactLe: 6C XX when Le differs from what is there, then the data', () => {
    const c = card({}, { exactLe: true });
    sw(c, SELECT);
    const n = files.icc.length;
    const xx = n.toString(16).toUpperCase().padStart(2, '0');
    expect(tx(c, '00B0810000')).toEqual({ data: '', sw: '6C' + xx });
    expect(tx(c, '00B08100' + xx)).toEqual({ data: hex(files.icc, true), sw: '9000' });
    expect(tx(c, '00B0810004')).toEqual({ data: hex(files.icc.subarray(0, 4), true), sw: '9000' });
    expect(tx(c, GET_CHALLENGE).sw).toBe('9000');
  });

  it('exactLe: 6C XX also on a larger file, never for a full Le', () => {
    const c = card({}, { exactLe: true, padding: { size: 300 } });
    sw(c, SELECT);
    expect(sw(c, '00B0810010')).toBe('9000'); // 16 of 300: enough there
    expect(tx(c, '00B0000000').data.length).toBe(512); // 256 of 300
    expect(sw(c, '00B0004000')).toBe('6CEC'); // offset 64: 236 left
    const padded = concat(files.icc, new Uint8Array(300 - files.icc.length).fill(0xff));
    expect(tx(c, '00B00040EC')).toEqual({ data: hex(padded.subarray(64), true), sw: '9000' });
  });

  it('counts every APDU and calls onApdu', () => {
    const seen: Array<[number, string]> = [];
    const c = card({}, { onApdu: (n, a) => seen.push([n, hex(a, true)]) });
    sw(c, SELECT);
    sw(c, '00B0810000');
    sw(c, 'FF');
    expect(c.apduCount).toBe(3);
    expect(seen).toEqual([
      [1, SELECT],
      [2, '00B0810000'],
      [3, 'FF'],
    ]);
  });
});

describe('card emulate documents', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chifa-emu-'));
  const doc = {
    profileVersion: 1,
    ...identity,
    emergency: { bloodGroup: 'O+', allergies: 'pénicilline', emergencyContact: null, notes: null },
    history: [historyRecord(1)],
    signature: { keyId: 'CNAS-TEST-2026', privateKey: join(KEYS, 'issuer/CNAS-TEST-2026.key.pem') },
  };

  function write(name: string, body: unknown): string {
    const p = join(dir, name);
    writeFileSync(p, JSON.stringify(body));
    return p;
  }

  it('an insured card document gives the same files, signed when served, PIN 1234 by default', async () => {
    const c = (await loadVirtualCard(write('card.json', doc), { trustDir: TRUST_DIR })) as InsuredCardEmulator;
    sw(c, SELECT);
    expect(tx(c, '00B0810000').data).toBe(hex(files.icc, true));
    expect(tx(c, '00B0840000').data).toBe(hex(files.beneficiaries, true));
    // RFC 6979 signatures are deterministic: the served file is the one signed here.
    expect(tx(c, '00B0870000').data).toBe(hex(signature, true));
    expect(sw(c, PIN_1234)).toBe('9000');
    expect(tx(c, '00B0850000').data).toBe(hex(emergency, true));
    expect(c.history.map((r) => decodeHistoryRecord(r))).toEqual([historyRecord(1)]);
  });

  it('a given signature value is served as given; relative key paths; no emergency', async () => {
    const sub = join(dir, 'cards');
    const value = 'AB'.repeat(64);
    mkdirSync(sub, { recursive: true });
    const p = join(sub, 'tampered.json');
    writeFileSync(p, JSON.stringify({ ...doc, emergency: null, pin: '5678', signature: { keyId: 'CNAS-TEST-2026', value } }));
    const c = (await loadVirtualCard(p, { trustDir: TRUST_DIR })) as InsuredCardEmulator;
    sw(c, SELECT);
    expect(tx(c, '00B0870000').data).toBe(hex(encodeSignatureFile('CNAS-TEST-2026', fromHex(value)), true));
    expect(sw(c, '002000810835363738FFFFFFFF')).toBe('9000');
    expect(sw(c, '00B0850000')).toBe('6A82');

    const rel = join(dir, 'rel.json');
    writeFileSync(rel, JSON.stringify({ ...doc, signature: { keyId: 'X', privateKey: 'missing.pem' } }));
    await expect(loadVirtualCard(rel, { trustDir: TRUST_DIR })).rejects.toMatchObject({ code: 'invalid-input' });
  });

  it('a professional key document makes EF.PS signed by the fund key, and the session opens', async () => {
    const p = write('ps.json', {
      application: 'CHIFAPS',
      professional: { id: 'PH-TEST-0001', name: 'Pharmacie Test', role: 'pharmacist', validUntil: '2030-12-31' },
      privateKey: join(KEYS, 'professional/PH-TEST-0001.key.pem'),
      pin: '4321',
      certificate: { keyId: 'CNAS-TEST-2026', privateKey: join(KEYS, 'issuer/CNAS-TEST-2026.key.pem') },
    });
    const key = (await loadVirtualCard(p, { trustDir: TRUST_DIR })) as ProfessionalKeyEmulator;
    sw(key, SELECT_PS);
    const efPs = fromHex(tx(key, '00B0810000').data);
    sw(key, '002000810834333231FFFFFFFF');
    const c = card();
    sw(c, SELECT);
    expect(sw(c, apdu('002A00BE', efPs))).toBe('9000');
    const ch = tx(c, GET_CHALLENGE).data;
    const s = tx(key, apdu('002A9E9A', challengeDigest(fromHex(ch), fromHex(SERIAL)), '00')).data;
    expect(sw(c, apdu('00820000', concat(fromHex('C740'), fromHex(s))))).toBe('9000');
  });

  it('bad documents are invalid-input naming the field', async () => {
    const cases: Array<[unknown, string]> = [
      [{ ...doc, card: { ...doc.card, serial: 'XYZ' } }, 'card.serial'],
      [{ ...doc, holder: { ...doc.holder, sex: 'X' } }, 'holder.sex'],
      [{ ...doc, pin: '12' }, 'pin'],
      [{ ...doc, signature: { keyId: 'CNAS-TEST-2026', value: 'AB' } }, 'signature'],
      [{ ...doc, history: [{ ...historyRecord(1), claimId: 'nope' }] }, 'history'],
      [{ ...doc, holder: { ...doc.holder, nss: '123' } }, 'holder.nss'],
    ];
    for (const [body, field] of cases) {
      const err = await loadVirtualCard(write('bad.json', body), { trustDir: TRUST_DIR }).catch((e: unknown) => e);
      expect(isChifaError(err, 'invalid-input'), String(err)).toBe(true);
      expect((err as Error).message).toContain(field);
    }
    writeFileSync(join(dir, 'notjson.json'), '{');
    await expect(loadVirtualCard(join(dir, 'notjson.json'), { trustDir: TRUST_DIR })).rejects.toMatchObject({ code: 'invalid-input' });
    await expect(loadVirtualCard(join(dir, 'absent.json'), { trustDir: TRUST_DIR })).rejects.toMatchObject({ code: 'invalid-input' });
  });
});

describe('trust directory (adapters/keys.ts)', () => {
  it('finds KEYID.pub.pem by exact name, never outside the identifier pattern', async () => {
    const { isTestKey, listTrustedKeys } = await import('../../src/adapters/keys.ts');
    expect(trust.publicKey('CNAS-TEST-2026')).toEqual(publicKeyFromPem(pem('issuer/CNAS-TEST-2026.pub.pem')));
    expect(trust.publicKey('cnas-test-2026')).toBeNull();
    expect(trust.publicKey('CNAS-TEST-2026.key')).toBeNull(); // a private key file is not a trusted key
    expect(trust.publicKey('../issuer/CNAS-TEST-2026')).toBeNull();
    expect(trust.publicKey('')).toBeNull();
    expect(listTrustedKeys(TRUST_DIR)).toEqual(['CNAS-TEST-2026']);
    expect(listTrustedKeys(join(TRUST_DIR, 'absent'))).toEqual([]);
    expect(loadTrustDirectory(join(TRUST_DIR, 'absent')).publicKey('CNAS-TEST-2026')).toBeNull();
    expect(isTestKey('CNAS-TEST-2026')).toBe(true);
    expect(isTestKey('CNAS-2026', publicKeyFromPem(pem('issuer/CNAS-TEST-2026.pub.pem')))).toBe(true);
    expect(isTestKey('CNAS-2026', PH_PUB)).toBe(false);
  });

  it('reads PEM keys as raw P-256 values', () => {
    expect(ISSUER_PRIV).toHaveLength(32);
    expect(PH_PUB).toHaveLength(65);
    expect(PH_PUB[0]).toBe(0x04);
    expect(publicKeyFromPem(pem('professional/PH-TEST-0001.key.pem'))).toEqual(PH_PUB);
    expect(() => privateKeyFromPem('nope')).toThrow(expect.objectContaining({ code: 'invalid-input' }) as Error);
  });
});
