/**
 * The card as the terminal understands it: exactly the shape of `chifa card read --json`
 * (json-contract.md), so the document printed, priced and shown is one and the same.
 */

/** `YYYY-MM-DD`; a birth date may hold `00` for an unknown month or day. */
export type IsoDate = string;

export type CardType = 'family' | 'individual';
export type Sex = 'M' | 'F';
export type InsuredStatus = 'employee' | 'pensioner' | 'unemployment-benefit' | 'student' | 'disability' | 'other';
export type Relationship = 'spouse' | 'child' | 'ascendant' | 'other-dependant';
export type RightsStatus = 'active' | 'suspended';
export type SignatureStatus = 'valid' | 'invalid' | 'untrusted-key';
export type ProfessionalRole = 'pharmacist' | 'physician';

export interface ChronicCondition {
  code: number;
  validUntil: IsoDate;
}

export interface CardInfo {
  /** 16 upper-case hex digits. */
  serial: string;
  fund: string;
  agency: string | null;
  issued: IsoDate;
  expires: IsoDate;
  type: CardType;
}

export interface Holder {
  nss: string;
  surname: string;
  givenNames: string;
  surnameAr: string | null;
  givenNamesAr: string | null;
  birthDate: IsoDate;
  sex: Sex;
  wilaya: string | null;
  status: InsuredStatus;
  /** Basis points; null when the card gives no personal rate. */
  rate: number | null;
  chronicConditions: ChronicCondition[];
}

export interface Rights {
  validFrom: IsoDate;
  validTo: IsoDate;
  status: RightsStatus;
  defaultRate: number;
  thirdPartyPayment: boolean;
}

export interface Beneficiary {
  index: number;
  relationship: Relationship;
  surname: string;
  givenNames: string;
  surnameAr: string | null;
  givenNamesAr: string | null;
  birthDate: IsoDate;
  sex: Sex;
  rate: number | null;
  chronicConditions: ChronicCondition[];
}

export interface Emergency {
  bloodGroup: string | null;
  allergies: string | null;
  emergencyContact: string | null;
  notes: string | null;
}

export interface HistoryRecord {
  date: IsoDate;
  pharmacy: string;
  beneficiary: number;
  /** Lower-case UUID. */
  claimId: string;
  total: number;
  fund: number;
  items: number;
}

export interface SignatureInfo {
  keyId: string | null;
  status: SignatureStatus;
}

/** The identity part of a card: what EF.ICC, EF.HOLDER, EF.RIGHTS and EF.BENEFICIARIES hold. */
export interface CardIdentity {
  card: CardInfo;
  holder: Holder;
  rights: Rights;
  beneficiaries: Beneficiary[];
}

export interface CardData extends CardIdentity {
  profileVersion: 1;
  emergency: Emergency | null;
  history: HistoryRecord[] | null;
  signature: SignatureInfo;
}

/**
 * The card's files as read: each transparent file's template exactly as on the card
 * (padding cut off), so the signature can be checked over the original bytes.
 */
export interface CardFiles {
  icc: Uint8Array;
  holder: Uint8Array;
  rights: Uint8Array;
  beneficiaries: Uint8Array;
  /** null: the file is absent (`6A 82`). */
  emergency?: Uint8Array | null;
  /** null: the file is absent. */
  signature: Uint8Array | null;
}

/** EF.PS of a professional key, decoded. */
export interface ProfessionalCertificate {
  id: string;
  name: string;
  role: ProfessionalRole;
  validUntil: IsoDate;
  /** 65-byte uncompressed P-256 point. */
  publicKey: Uint8Array;
  /** 64-byte r‖s by the fund key `fundKeyId`. */
  fundSignature: Uint8Array;
  fundKeyId: string;
  /** The `E1` template exactly as read: what PSO VERIFY CERTIFICATE sends. */
  raw: Uint8Array;
  /** C0‖C1‖C2‖C3‖C4 as in the file: what `C5` signs. */
  signedBytes: Uint8Array;
}

/** Issuer and fund public keys by identifier; the adapter fills it from a trust directory. */
export interface TrustStore {
  /** 65-byte uncompressed P-256 point, or null when no key of that identifier is trusted. */
  publicKey(keyId: string): Uint8Array | null;
  /**
   * Verifies an ECDSA P-256 SHA-256 signature (r‖s) with the key `keyId`. Optional: a
   * platform with native crypto provides it (Node's is ~35× faster than pure JS, which
   * matters on every card read); without it the core verifies in pure JS.
   */
  verify?(keyId: string, message: Uint8Array, signature: Uint8Array): boolean;
}

/** Key identifiers that may name a file in a trust directory. */
export const KEY_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
