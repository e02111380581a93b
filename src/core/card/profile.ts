/** Constants of card-profile.md: application identifiers, files, and the enumerations' wire values. */

export const INSURED_AID = Uint8Array.from([0xf0, 0x43, 0x48, 0x49, 0x46, 0x41, 0x01]);
export const PROFESSIONAL_AID = Uint8Array.from([0xf0, 0x43, 0x48, 0x49, 0x46, 0x41, 0x50, 0x53, 0x01]);

/** Short file identifiers of the insured card application. */
export const SFI = {
  ICC: 1,
  HOLDER: 2,
  RIGHTS: 3,
  BENEFICIARIES: 4,
  EMERGENCY: 5,
  HISTORY: 6,
  SIGNATURE: 7,
} as const;

/** EF.PS of the professional key application. */
export const PS_SFI = 1;

export const HISTORY_RECORDS = 40;
export const HISTORY_RECORD_MAX = 64;
export const MAX_BENEFICIARIES = 10;
export const EF_PS_MAX = 255;

/** File names as error messages give them. */
export const FILE_NAMES: Record<number, string> = {
  1: 'EF.ICC',
  2: 'EF.HOLDER',
  3: 'EF.RIGHTS',
  4: 'EF.BENEFICIARIES',
  5: 'EF.EMERGENCY',
  6: 'EF.HISTORY',
  7: 'EF.SIGNATURE',
};

export const TEMPLATE = {
  ICC: 'E1',
  HOLDER: 'E2',
  RIGHTS: 'E3',
  BENEFICIARIES: 'E4',
  BENEFICIARY: 'E5',
  CHRONIC: 'E6',
  CHRONIC_ENTRY: 'E7',
  EMERGENCY: 'E9',
  HISTORY: 'EA',
  SIGNATURE: 'EB',
  PS: 'E1',
} as const;

export const CARD_TYPES = { 1: 'family', 2: 'individual' } as const;
export const SEXES = { 1: 'M', 2: 'F' } as const;
export const INSURED_STATUSES = {
  1: 'employee',
  2: 'pensioner',
  3: 'unemployment-benefit',
  4: 'student',
  5: 'disability',
  6: 'other',
} as const;
export const RELATIONSHIPS = { 1: 'spouse', 2: 'child', 3: 'ascendant', 4: 'other-dependant' } as const;
export const RIGHTS_STATUSES = { 0: 'active', 1: 'suspended' } as const;
export const ROLES = { 1: 'pharmacist', 2: 'physician' } as const;

export const SIGNATURE_ALGORITHM_ECDSA_P256_SHA256 = 0x01;
export const CHRONIC_CODE_MIN = 1;
export const CHRONIC_CODE_MAX = 26;
export const RATE_MAX = 10000;
