/**
 * Decodes the identity files and EF.EMERGENCY (card-profile.md §2) into the JSON shape
 * of `card read` (json-contract.md). Every malformed rule of the profile is enforced;
 * the general reading rules (filler, padding, unknown tags, ASCII) are in fields.ts.
 *
 * Choices where the profile is silent:
 * - Expiry before issue, or rights ending before they start, are not malformed: they
 *   are dates the card states, and §3 simply gives no rights on any day then.
 * - Wilaya is any 2 ASCII digits; the profile fixes the size, not the list.
 * - An `E6` with no `E7` is an empty list; `E7` needs both `C0` and `C1`; the same
 *   condition code may appear twice (e.g. with different validity), order is kept.
 * - Text may be empty, the fund code included: the profile sets no minimum length.
 * - The individual-card rule is reported against EF.BENEFICIARIES, tag `E4`.
 */
import { hex } from '../bytes.ts';
import { malformed } from '../errors.ts';
import type { TlvNode } from '../tlv.ts';
import { guarded, readFileTemplate, TemplateFields } from './fields.ts';
import type {
  Beneficiary,
  CardFiles,
  CardIdentity,
  CardInfo,
  ChronicCondition,
  Emergency,
  Holder,
  Rights,
} from './model.ts';
import {
  CARD_TYPES,
  CHRONIC_CODE_MAX,
  CHRONIC_CODE_MIN,
  INSURED_STATUSES,
  MAX_BENEFICIARIES,
  RELATIONSHIPS,
  RIGHTS_STATUSES,
  SEXES,
  TEMPLATE,
} from './profile.ts';

const F = {
  ICC: 'EF.ICC',
  HOLDER: 'EF.HOLDER',
  RIGHTS: 'EF.RIGHTS',
  BENEFICIARIES: 'EF.BENEFICIARIES',
  EMERGENCY: 'EF.EMERGENCY',
} as const;

const PROFILE_VERSION = 0x01;
const BENEFICIARY_INDEX_MAX = 10;

export function decodeIcc(template: Uint8Array): CardInfo {
  return guarded(F.ICC, () => {
    const f = new TemplateFields(F.ICC, readFileTemplate(template, F.ICC, TEMPLATE.ICC), [
      'C0', 'C1', 'C2', 'C3', 'C4', 'C5', 'C6',
    ]);
    const version = f.byte('C0');
    if (version !== PROFILE_VERSION) throw f.fail('C0', `profile version ${version} is not 1`);
    return {
      serial: hex(f.bytes('C1', 8), true),
      fund: f.ascii('C2'),
      agency: f.optional('C3', (t) => f.ascii(t)),
      issued: f.date('C4'),
      expires: f.date('C5'),
      type: f.enumerated('C6', CARD_TYPES),
    };
  });
}

function decodeChronic(node: TlvNode, file: string, where: string): ChronicCondition[] {
  const list = new TemplateFields(file, node, [], [TEMPLATE.CHRONIC_ENTRY], where);
  return list.entries(TEMPLATE.CHRONIC_ENTRY).map((entry, i) => {
    const f = new TemplateFields(file, entry, ['C0', 'C1'], [], `${where === '' ? '' : `${where}, `}chronic condition ${i + 1}`);
    const code = f.byte('C0');
    if (code < CHRONIC_CODE_MIN || code > CHRONIC_CODE_MAX) {
      throw f.fail('C0', `condition code ${code} is not ${CHRONIC_CODE_MIN}..${CHRONIC_CODE_MAX}`);
    }
    return { code, validUntil: f.date('C1') };
  });
}

function chronicOf(f: TemplateFields): ChronicCondition[] {
  return f.has(TEMPLATE.CHRONIC) ? decodeChronic(f.node(TEMPLATE.CHRONIC), f.file, f.where) : [];
}

export function decodeHolder(template: Uint8Array): Holder {
  return guarded(F.HOLDER, () => {
    const f = new TemplateFields(F.HOLDER, readFileTemplate(template, F.HOLDER, TEMPLATE.HOLDER), [
      'C0', 'C1', 'C2', 'C3', 'C4', 'C5', 'C6', 'C7', 'C8', 'C9', TEMPLATE.CHRONIC,
    ]);
    return {
      nss: f.digits('C0', 12),
      surname: f.text('C1'),
      givenNames: f.text('C2'),
      surnameAr: f.optional('C3', (t) => f.text(t)),
      givenNamesAr: f.optional('C4', (t) => f.text(t)),
      birthDate: f.date('C5', true),
      sex: f.enumerated('C6', SEXES),
      wilaya: f.optional('C7', (t) => f.digits(t, 2)),
      status: f.enumerated('C8', INSURED_STATUSES),
      rate: f.optional('C9', (t) => f.rate(t)),
      chronicConditions: chronicOf(f),
    };
  });
}

export function decodeRights(template: Uint8Array): Rights {
  return guarded(F.RIGHTS, () => {
    const f = new TemplateFields(F.RIGHTS, readFileTemplate(template, F.RIGHTS, TEMPLATE.RIGHTS), [
      'C0', 'C1', 'C2', 'C3', 'C4',
    ]);
    return {
      validFrom: f.date('C0'),
      validTo: f.date('C1'),
      status: f.enumerated('C2', RIGHTS_STATUSES),
      defaultRate: f.rate('C3'),
      thirdPartyPayment: f.enumerated('C4', { 0: false, 1: true }),
    };
  });
}

function decodeBeneficiary(entry: TlvNode, position: number): Beneficiary {
  const f = new TemplateFields(
    F.BENEFICIARIES,
    entry,
    ['C0', 'C1', 'C2', 'C3', 'C4', 'C5', 'C6', 'C7', 'C8', TEMPLATE.CHRONIC],
    [],
    `beneficiary entry ${position}`,
  );
  const index = f.byte('C0');
  if (index < 1 || index > BENEFICIARY_INDEX_MAX) throw f.fail('C0', `index ${index} is not 1..${BENEFICIARY_INDEX_MAX}`);
  return {
    index,
    relationship: f.enumerated('C1', RELATIONSHIPS),
    surname: f.text('C2'),
    givenNames: f.text('C3'),
    surnameAr: f.optional('C4', (t) => f.text(t)),
    givenNamesAr: f.optional('C5', (t) => f.text(t)),
    birthDate: f.date('C6', true),
    sex: f.enumerated('C7', SEXES),
    rate: f.optional('C8', (t) => f.rate(t)),
    chronicConditions: chronicOf(f),
  };
}

export function decodeBeneficiaries(template: Uint8Array): Beneficiary[] {
  return guarded(F.BENEFICIARIES, () => {
    const f = new TemplateFields(
      F.BENEFICIARIES,
      readFileTemplate(template, F.BENEFICIARIES, TEMPLATE.BENEFICIARIES),
      [],
      [TEMPLATE.BENEFICIARY],
    );
    const entries = f.entries(TEMPLATE.BENEFICIARY);
    if (entries.length > MAX_BENEFICIARIES) {
      throw f.fail(TEMPLATE.BENEFICIARY, `${entries.length} entries, at most ${MAX_BENEFICIARIES} allowed`);
    }
    const seen = new Set<number>();
    return entries.map((entry, i) => {
      const b = decodeBeneficiary(entry, i + 1);
      if (seen.has(b.index)) throw f.fail('C0', `beneficiary index ${b.index} appears twice`);
      seen.add(b.index);
      return b;
    });
  });
}

export function decodeIdentity(files: CardFiles): CardIdentity {
  const card = decodeIcc(files.icc);
  const holder = decodeHolder(files.holder);
  const rights = decodeRights(files.rights);
  const beneficiaries = decodeBeneficiaries(files.beneficiaries);
  if (card.type === 'individual' && beneficiaries.length !== 1) {
    throw malformed(
      F.BENEFICIARIES,
      TEMPLATE.BENEFICIARIES,
      `an individual card must hold exactly one beneficiary, found ${beneficiaries.length}`,
    );
  }
  return { card, holder, rights, beneficiaries };
}

/** EF.EMERGENCY: everything optional; no file at all reads as four nulls. */
export function decodeEmergency(template: Uint8Array | null | undefined): Emergency {
  if (template === null || template === undefined) {
    return { bloodGroup: null, allergies: null, emergencyContact: null, notes: null };
  }
  return guarded(F.EMERGENCY, () => {
    const f = new TemplateFields(F.EMERGENCY, readFileTemplate(template, F.EMERGENCY, TEMPLATE.EMERGENCY), [
      'C0', 'C1', 'C2', 'C3',
    ]);
    return {
      bloodGroup: f.optional('C0', (t) => f.ascii(t)),
      allergies: f.optional('C1', (t) => f.text(t)),
      emergencyContact: f.optional('C2', (t) => f.text(t)),
      notes: f.optional('C3', (t) => f.text(t)),
    };
  });
}
