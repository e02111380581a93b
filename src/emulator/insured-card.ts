/**
 * An insured card (card-profile.md §2 and §5) built from file images: the reference the
 * terminal is tested against, so every answer follows the profile to the byte.
 *
 * Where the profile is silent (see also virtual-card.ts for the order of checks):
 * - Files are made current by READ BINARY by SFI even when their access condition then
 *   refuses the read; the by-SFI form reaches offsets 0..FF, the current-file form 0..7FFF.
 * - READ BINARY of EF.HISTORY and READ RECORD of a transparent file: `69 81`.
 * - READ RECORD with Le shorter than the record: `6C XX` (XX = record length); record 0 or
 *   beyond the last: `6A 83`. Only the `P2 = SFI*8+4` form exists (others `6A 86`).
 * - APPEND RECORD checks, in order: file (`6A 82` unknown SFI, `69 81` not a record file),
 *   pharmacist session (`69 82`), length (`6A 84`), one `EA` template filling the data whose
 *   content parses as data objects (`6A 80`). The card does not look inside further.
 * - PSO VERIFY CERTIFICATE: data must be exactly one `E1` template (no padding) that decodes
 *   as EF.PS, else `6A 80`; unknown or invalid fund key `63 00`. Any PSO VERIFY CERTIFICATE
 *   closes the open session and replaces (or, when refused, drops) the kept certificate.
 *   The card has no clock: `C3` is not checked unless the `today` option is given.
 * - EXTERNAL AUTHENTICATE: data not `C7 40 <64 bytes>` is `6A 80` (the challenge is spent
 *   all the same). A refused one closes any open session; the certificate stays kept.
 * - The PIN try counter survives reset and power-off (it is in the card's memory); the
 *   verified state does not.
 */
import { SW, INS, type CommandApdu } from '../core/apdu.ts';
import { ascii, concat } from '../core/bytes.ts';
import { readAll, readTlv } from '../core/tlv.ts';
import type { IsoDate, ProfessionalCertificate, ProfessionalRole, TrustStore } from '../core/card/model.ts';
import {
  HISTORY_RECORD_MAX,
  HISTORY_RECORDS,
  INSURED_AID,
  SFI,
  TEMPLATE,
} from '../core/card/profile.ts';
import { challengeDigest, checkProfessionalCertificate, decodeProfessionalCertificate } from '../core/card/professional.ts';
import { verifyDigest, verifyP256 } from '../core/card/signature.ts';
import {
  BinaryReader,
  EMPTY,
  EmulatedCard,
  makeAtr,
  PinState,
  reply,
  sameBytes,
  SW_EXTRA,
  type CardFile,
  type FaultOptions,
  type Reply,
} from './virtual-card.ts';

export type FileKey = 'icc' | 'holder' | 'rights' | 'beneficiaries' | 'emergency' | 'signature';

export interface FilePadding {
  /** Filler after the template: `00` or `FF` (default `FF`). */
  byte?: 0x00 | 0xff;
  /** Minimum file size in bytes, for every transparent file or per file; a larger template keeps its size. */
  size?: number | Partial<Record<FileKey, number>>;
}

export interface InsuredCardImages {
  icc: Uint8Array;
  holder: Uint8Array;
  rights: Uint8Array;
  beneficiaries: Uint8Array;
  /** null: no EF.EMERGENCY on the card (`6A 82`). */
  emergency: Uint8Array | null;
  /** null: no EF.SIGNATURE on the card (`6A 82`). */
  signature: Uint8Array | null;
  /** EF.HISTORY records, newest first (record 1 first); at most 40 are kept. */
  history: Uint8Array[];
  /** Holder PIN, 4 to 8 digits. */
  pin: string;
  /** Fund keys the card checks professional certificates with. */
  trust: TrustStore;
  /** When given, the card refuses (`63 00`) a certificate whose `C3` is before this day. */
  today?: () => IsoDate;
}

export interface InsuredCardOptions extends FaultOptions {
  padding?: FilePadding;
  /** Randomness for GET CHALLENGE (tests make it deterministic). */
  random?: (n: number) => Uint8Array;
  atr?: Uint8Array;
}

const CHALLENGE_SIZE = 8;

export const INSURED_ATR = makeAtr(concat(ascii('CHIFA'), Uint8Array.of(0x01)));

function defaultRandom(n: number): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(n));
}

function pad(template: Uint8Array, key: FileKey, padding: FilePadding | undefined): Uint8Array {
  if (padding === undefined) return template.slice();
  const size = typeof padding.size === 'number' ? padding.size : (padding.size?.[key] ?? 0);
  if (size <= template.length) return template.slice();
  const out = new Uint8Array(size).fill(padding.byte ?? 0xff);
  out.set(template, 0);
  return out;
}

/** C1 of EF.ICC as stored; a broken image gives no serial and no session can open. */
function serialOf(icc: Uint8Array): Uint8Array | null {
  try {
    const { node } = readTlv(icc, 0);
    for (const child of readAll(node.value)) if (child.tag === 'C1' && child.value.length === 8) return child.value.slice();
  } catch {
    // fall through
  }
  return null;
}

interface ProfessionalSession {
  role: ProfessionalRole;
  id: string;
}

export class InsuredCardEmulator extends EmulatedCard {
  readonly atr: Uint8Array;
  private readonly files: Map<number, CardFile>;
  private readonly records: Uint8Array[];
  private readonly pinState: PinState;
  private readonly binary: BinaryReader;
  private readonly serial: Uint8Array | null;
  private readonly random: (n: number) => Uint8Array;

  private selected = false;
  private certificate: ProfessionalCertificate | null = null;
  private challenge: Uint8Array | null = null;
  private session: ProfessionalSession | null = null;

  constructor(
    private readonly images: InsuredCardImages,
    options: InsuredCardOptions = {},
  ) {
    super(options);
    this.atr = options.atr?.slice() ?? INSURED_ATR;
    this.random = options.random ?? defaultRandom;
    this.pinState = new PinState(images.pin);
    this.serial = serialOf(images.icc);
    this.records = images.history.slice(0, HISTORY_RECORDS).map((r) => r.slice());
    const always = () => true;
    const p = options.padding;
    this.files = new Map<number, CardFile>([
      [SFI.ICC, { kind: 'transparent', bytes: pad(images.icc, 'icc', p), readable: always }],
      [SFI.HOLDER, { kind: 'transparent', bytes: pad(images.holder, 'holder', p), readable: always }],
      [SFI.RIGHTS, { kind: 'transparent', bytes: pad(images.rights, 'rights', p), readable: always }],
      [SFI.BENEFICIARIES, { kind: 'transparent', bytes: pad(images.beneficiaries, 'beneficiaries', p), readable: always }],
      [SFI.HISTORY, { kind: 'records', readable: () => this.session !== null }],
    ]);
    if (images.emergency !== null) {
      this.files.set(SFI.EMERGENCY, {
        kind: 'transparent',
        bytes: pad(images.emergency, 'emergency', p),
        readable: () => this.pinState.verified,
      });
    }
    if (images.signature !== null) {
      this.files.set(SFI.SIGNATURE, { kind: 'transparent', bytes: pad(images.signature, 'signature', p), readable: always });
    }
    this.binary = new BinaryReader((sfi) => this.files.get(sfi) ?? null);
  }

  /** EF.HISTORY now, newest first (copies). */
  get history(): Uint8Array[] {
    return this.records.map((r) => r.slice());
  }

  get pinTriesLeft(): number {
    return this.pinState.triesLeft;
  }

  get pinVerified(): boolean {
    return this.pinState.verified;
  }

  /** The role of the open professional session, or null. */
  get sessionRole(): ProfessionalRole | null {
    return this.session?.role ?? null;
  }

  get isSelected(): boolean {
    return this.selected;
  }

  protected clearVolatileState(): void {
    this.selected = false;
    this.clearSecurityState();
  }

  private clearSecurityState(): void {
    this.pinState.verified = false;
    this.certificate = null;
    this.challenge = null;
    this.session = null;
    this.binary.clear();
  }

  private pendingChallenge: Uint8Array | null = null;

  protected override beforeCommand(): void {
    // A challenge serves the very next command only, if that is EXTERNAL AUTHENTICATE.
    this.pendingChallenge = this.challenge;
    this.challenge = null;
  }

  protected handle(cmd: CommandApdu): Reply {
    switch (cmd.ins) {
      case INS.SELECT:
      case INS.READ_BINARY:
      case INS.READ_RECORD:
      case INS.VERIFY:
      case INS.GET_CHALLENGE:
      case INS.PSO:
      case INS.EXTERNAL_AUTHENTICATE:
      case INS.APPEND_RECORD:
        break;
      default:
        return reply(SW.INS_NOT_SUPPORTED);
    }
    if (cmd.ins === INS.SELECT) return this.select(cmd);
    if (!this.selected) return reply(SW.CONDITIONS_NOT_SATISFIED);
    switch (cmd.ins) {
      case INS.READ_BINARY:
        return this.binary.read(cmd);
      case INS.READ_RECORD:
        return this.readRecord(cmd);
      case INS.VERIFY:
        return this.pinState.verify(cmd);
      case INS.GET_CHALLENGE:
        return this.getChallenge(cmd);
      case INS.PSO:
        return this.verifyCertificate(cmd);
      case INS.EXTERNAL_AUTHENTICATE:
        return this.externalAuthenticate(cmd);
      default:
        return this.appendRecord(cmd);
    }
  }

  private select(cmd: CommandApdu): Reply {
    if (cmd.data === undefined) return reply(SW.WRONG_LENGTH);
    // P2 0C (no response data) as the profile sends it; 00 (FCI requested) is answered the same, without FCI.
    if (cmd.p1 !== 0x04 || (cmd.p2 !== 0x0c && cmd.p2 !== 0x00)) return reply(SW_EXTRA.INCORRECT_P1P2);
    if (!sameBytes(cmd.data, INSURED_AID)) return reply(SW.FILE_NOT_FOUND);
    this.selected = true;
    this.clearSecurityState();
    return reply(SW.OK);
  }

  private readRecord(cmd: CommandApdu): Reply {
    if (cmd.data !== undefined || cmd.le === undefined) return reply(SW.WRONG_LENGTH);
    if ((cmd.p2 & 0x07) !== 0x04 || cmd.p2 >> 3 === 0) return reply(SW_EXTRA.INCORRECT_P1P2);
    const f = this.files.get(cmd.p2 >> 3);
    if (f === undefined) return reply(SW.FILE_NOT_FOUND);
    if (f.kind !== 'records') return reply(SW_EXTRA.INCOMPATIBLE_FILE);
    if (!f.readable()) return reply(SW.SECURITY_NOT_SATISFIED);
    const record = cmd.p1 === 0 ? undefined : this.records[cmd.p1 - 1];
    if (record === undefined) return reply(SW.RECORD_NOT_FOUND);
    if (cmd.le < record.length) return reply(0x6c00 | record.length);
    return reply(SW.OK, record.slice());
  }

  private getChallenge(cmd: CommandApdu): Reply {
    if (cmd.data !== undefined || cmd.le !== CHALLENGE_SIZE) return reply(SW.WRONG_LENGTH);
    if (cmd.p1 !== 0 || cmd.p2 !== 0) return reply(SW_EXTRA.INCORRECT_P1P2);
    const r = this.random(CHALLENGE_SIZE).slice(0, CHALLENGE_SIZE);
    this.challenge = r;
    return reply(SW.OK, r.slice());
  }

  private verifyCertificate(cmd: CommandApdu): Reply {
    if (cmd.p1 !== 0x00 || cmd.p2 !== 0xbe) return reply(SW_EXTRA.INCORRECT_P1P2);
    if (cmd.data === undefined || cmd.le !== undefined) return reply(SW.WRONG_LENGTH);
    this.session = null;
    this.certificate = null;
    let cert: ProfessionalCertificate;
    try {
      const { node, next } = readTlv(cmd.data, 0);
      if (next !== cmd.data.length || node.tag !== TEMPLATE.PS) return reply(SW.WRONG_DATA);
      cert = decodeProfessionalCertificate(cmd.data);
    } catch {
      return reply(SW.WRONG_DATA);
    }
    if (this.images.today !== undefined) {
      if (checkProfessionalCertificate(cert, this.images.trust, this.images.today()) !== 'valid') {
        return reply(SW.VERIFY_FAILED);
      }
    } else {
      let key: Uint8Array | null = null;
      try {
        key = this.images.trust.publicKey(cert.fundKeyId);
      } catch {
        key = null;
      }
      if (key === null || !verifyP256(cert.signedBytes, cert.fundSignature, key)) return reply(SW.VERIFY_FAILED);
    }
    this.certificate = cert;
    return reply(SW.OK);
  }

  private externalAuthenticate(cmd: CommandApdu): Reply {
    const challenge = this.pendingChallenge;
    this.pendingChallenge = null;
    if (cmd.data === undefined || cmd.le !== undefined || cmd.data.length !== 0x42) return reply(SW.WRONG_LENGTH);
    if (cmd.p1 !== 0 || cmd.p2 !== 0) return reply(SW_EXTRA.INCORRECT_P1P2);
    const cert = this.certificate;
    if (cert === null || challenge === null) return reply(SW.CONDITIONS_NOT_SATISFIED);
    this.session = null;
    if (cmd.data[0] !== 0xc7 || cmd.data[1] !== 0x40) return reply(SW.WRONG_DATA);
    if (this.serial === null) return reply(SW.VERIFY_FAILED);
    const ok = verifyDigest(challengeDigest(challenge, this.serial), cmd.data.subarray(2), cert.publicKey);
    if (!ok) return reply(SW.VERIFY_FAILED);
    this.session = { role: cert.role, id: cert.id };
    return reply(SW.OK);
  }

  private appendRecord(cmd: CommandApdu): Reply {
    if (cmd.data === undefined || cmd.le !== undefined) return reply(SW.WRONG_LENGTH);
    if (cmd.p1 !== 0x00 || (cmd.p2 & 0x07) !== 0 || cmd.p2 >> 3 === 0) return reply(SW_EXTRA.INCORRECT_P1P2);
    const f = this.files.get(cmd.p2 >> 3);
    if (f === undefined) return reply(SW.FILE_NOT_FOUND);
    if (f.kind !== 'records') return reply(SW_EXTRA.INCOMPATIBLE_FILE);
    if (this.session?.role !== 'pharmacist') return reply(SW.SECURITY_NOT_SATISFIED);
    if (cmd.data.length > HISTORY_RECORD_MAX) return reply(SW.NOT_ENOUGH_MEMORY);
    if (!isOneTemplate(cmd.data, TEMPLATE.HISTORY)) return reply(SW.WRONG_DATA);
    this.records.unshift(cmd.data.slice());
    if (this.records.length > HISTORY_RECORDS) this.records.length = HISTORY_RECORDS;
    return reply(SW.OK, EMPTY);
  }
}

function isOneTemplate(data: Uint8Array, tag: string): boolean {
  try {
    const { node, next } = readTlv(data, 0);
    if (next !== data.length || node.tag !== tag) return false;
    readAll(node.value);
    return true;
  } catch {
    return false;
  }
}
