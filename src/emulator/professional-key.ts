/**
 * A professional key (clé PS, card-profile.md §4): EF.PS always readable, a PIN, and
 * PSO COMPUTE DIGITAL SIGNATURE over a digest given as is (prehashed ECDSA).
 *
 * Where the profile is silent: PSO COMPUTE DIGITAL SIGNATURE needs Lc = 20 and an Le
 * (`00` or `40`; a shorter one is `6C 40`), else `67 00`; other PSO forms `6A 86`. The PIN
 * stays verified for any number of signatures until reset, power-off or SELECT.
 * Commands of the insured card (GET CHALLENGE, READ RECORD…) are unknown here: `6D 00`.
 */
import { INS, SW, type CommandApdu } from '../core/apdu.ts';
import { ascii, concat } from '../core/bytes.ts';
import { PROFESSIONAL_AID, PS_SFI } from '../core/card/profile.ts';
import { signDigest } from '../core/card/signature.ts';
import {
  BinaryReader,
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

export interface ProfessionalKeyImages {
  /** EF.PS as stored: the `E1` template, optionally followed by padding. */
  efPs: Uint8Array;
  /** The professional's P-256 private scalar, 32 bytes. */
  privateKey: Uint8Array;
  /** 4 to 8 digits. */
  pin: string;
}

export interface ProfessionalKeyOptions extends FaultOptions {
  atr?: Uint8Array;
}

const SIGNATURE_SIZE = 64;
const DIGEST_SIZE = 32;

export const PROFESSIONAL_ATR = makeAtr(concat(ascii('CHIFAPS'), Uint8Array.of(0x01)));

export class ProfessionalKeyEmulator extends EmulatedCard {
  readonly atr: Uint8Array;
  private readonly pinState: PinState;
  private readonly binary: BinaryReader;
  private readonly privateKey: Uint8Array;
  private selected = false;
  /** Signatures made so far (tests check that a refused session spent none, or one). */
  signatures = 0;

  constructor(images: ProfessionalKeyImages, options: ProfessionalKeyOptions = {}) {
    super(options);
    if (images.privateKey.length !== 32) throw new RangeError('a P-256 private key is 32 bytes');
    this.atr = options.atr?.slice() ?? PROFESSIONAL_ATR;
    this.privateKey = images.privateKey.slice();
    this.pinState = new PinState(images.pin);
    const efPs: CardFile = { kind: 'transparent', bytes: images.efPs.slice(), readable: () => true };
    this.binary = new BinaryReader((sfi) => (sfi === PS_SFI ? efPs : null));
  }

  get pinTriesLeft(): number {
    return this.pinState.triesLeft;
  }

  get pinVerified(): boolean {
    return this.pinState.verified;
  }

  protected clearVolatileState(): void {
    this.selected = false;
    this.pinState.verified = false;
    this.binary.clear();
  }

  protected handle(cmd: CommandApdu): Reply {
    switch (cmd.ins) {
      case INS.SELECT:
        return this.select(cmd);
      case INS.READ_BINARY:
      case INS.VERIFY:
      case INS.PSO:
        break;
      default:
        return reply(SW.INS_NOT_SUPPORTED);
    }
    if (!this.selected) return reply(SW.CONDITIONS_NOT_SATISFIED);
    if (cmd.ins === INS.READ_BINARY) return this.binary.read(cmd);
    if (cmd.ins === INS.VERIFY) return this.pinState.verify(cmd);
    return this.computeSignature(cmd);
  }

  private select(cmd: CommandApdu): Reply {
    if (cmd.data === undefined) return reply(SW.WRONG_LENGTH);
    if (cmd.p1 !== 0x04 || (cmd.p2 !== 0x0c && cmd.p2 !== 0x00)) return reply(SW_EXTRA.INCORRECT_P1P2);
    if (!sameBytes(cmd.data, PROFESSIONAL_AID)) return reply(SW.FILE_NOT_FOUND);
    this.selected = true;
    this.pinState.verified = false;
    this.binary.clear();
    return reply(SW.OK);
  }

  private computeSignature(cmd: CommandApdu): Reply {
    if (cmd.p1 !== 0x9e || cmd.p2 !== 0x9a) return reply(SW_EXTRA.INCORRECT_P1P2);
    if (cmd.data === undefined || cmd.data.length !== DIGEST_SIZE || cmd.le === undefined) return reply(SW.WRONG_LENGTH);
    if (!this.pinState.verified) return reply(SW.SECURITY_NOT_SATISFIED);
    if (cmd.le < SIGNATURE_SIZE) return reply(0x6c00 | SIGNATURE_SIZE);
    const signature = signDigest(cmd.data, this.privateKey);
    this.signatures++;
    return reply(SW.OK, signature);
  }
}
