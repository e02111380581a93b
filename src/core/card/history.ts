/**
 * EF.HISTORY records (card-profile.md §5): one `EA` template each, at most 64 bytes,
 * no padding, every data object mandatory.
 *
 * Choices where the profile is silent: the beneficiary index is 0 (holder) to 10, the
 * highest index a card can hold; the dispensing date is a full calendar date; a fund
 * share above the total is not rejected (the card only stores what the terminal wrote);
 * the encoder accepts a UUID in either case, the decoder gives it in lower case.
 */
import { hex, uintToBytes } from '../bytes.ts';
import { dateValue, asciiValue, intValue, invalidInput, template, tlv } from './encode.ts';
import { guarded, readFileTemplate, TemplateFields } from './fields.ts';
import type { HistoryRecord } from './model.ts';
import { HISTORY_RECORD_MAX, MAX_BENEFICIARIES, TEMPLATE } from './profile.ts';
import { malformed } from '../errors.ts';

const FILE = 'EF.HISTORY';
const PHARMACY_MAX = 14;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const UINT32_MAX = 0xffffffff;

export function encodeHistoryRecord(r: HistoryRecord): Uint8Array {
  if (typeof r !== 'object' || r === null) throw invalidInput('history record', 'must be an object');
  if (typeof r.claimId !== 'string' || !UUID.test(r.claimId)) {
    throw invalidInput('history.claimId', 'must be a UUID 8-4-4-4-12');
  }
  const uuid = Uint8Array.from(r.claimId.replace(/-/g, '').match(/../g)!, (h) => parseInt(h, 16));
  const out = template('history', TEMPLATE.HISTORY, [
    tlv('history.date', 'C0', dateValue('history.date', r.date)),
    tlv('history.pharmacy', 'C1', asciiValue('history.pharmacy', r.pharmacy, PHARMACY_MAX)),
    tlv('history.beneficiary', 'C2', Uint8Array.of(intValue('history.beneficiary', r.beneficiary, 0, MAX_BENEFICIARIES))),
    tlv('history.claimId', 'C3', uuid),
    tlv('history.total', 'C4', uintToBytes(intValue('history.total', r.total, 0, UINT32_MAX), 4)),
    tlv('history.fund', 'C5', uintToBytes(intValue('history.fund', r.fund, 0, UINT32_MAX), 4)),
    tlv('history.items', 'C6', Uint8Array.of(intValue('history.items', r.items, 0, 255))),
  ]);
  if (out.length > HISTORY_RECORD_MAX) {
    throw invalidInput('history record', `${out.length} bytes, at most ${HISTORY_RECORD_MAX}`);
  }
  return out;
}

function uuidText(b: Uint8Array): string {
  const h = hex(b);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function decodeHistoryRecord(bytes: Uint8Array): HistoryRecord {
  return guarded(FILE, () => {
    if (bytes instanceof Uint8Array && bytes.length > HISTORY_RECORD_MAX) {
      throw malformed(FILE, TEMPLATE.HISTORY, `record of ${bytes.length} bytes, at most ${HISTORY_RECORD_MAX}`);
    }
    const node = readFileTemplate(bytes, FILE, TEMPLATE.HISTORY, false);
    const f = new TemplateFields(FILE, node, ['C0', 'C1', 'C2', 'C3', 'C4', 'C5', 'C6']);
    const date = f.date('C0');
    const pharmacy = f.ascii('C1', PHARMACY_MAX);
    const beneficiary = f.byte('C2');
    if (beneficiary > MAX_BENEFICIARIES) throw f.fail('C2', `beneficiary index ${beneficiary} is not 0..${MAX_BENEFICIARIES}`);
    return {
      date,
      pharmacy,
      beneficiary,
      claimId: uuidText(f.bytes('C3', 16)),
      total: f.uint('C4', 4),
      fund: f.uint('C5', 4),
      items: f.byte('C6'),
    };
  });
}
