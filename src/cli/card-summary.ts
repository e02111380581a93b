/** The readable summary of `chifa card read` without `--json`: what a pharmacist checks at a glance. */
import chronic from '../../data/rules/chronic-conditions.json' with { type: 'json' };
import type { Beneficiary, CardData, ChronicCondition, IsoDate } from '../core/card/model.ts';
import { calendarDay } from '../core/clock.ts';
import { translator, type Lang } from '../i18n/index.ts';

const percent = (bp: number) => `${(bp / 100).toLocaleString('fr-FR', { maximumFractionDigits: 2 })} %`;

/** A partial birth date is shown as given: `1950-00-00` stays `00/00/1950`, never a guessed day. */
export function showDate(d: IsoDate): string {
  const [y, m, day] = d.split('-');
  return `${day}/${m}/${y}`;
}

/** The names of the list in force on `day` (the lists are effective-dated data). */
function conditionName(code: number, lang: Lang, day: IsoDate): string {
  const list = chronic.lists.filter((l) => l.validFrom <= day).sort((a, b) => b.validFrom.localeCompare(a.validFrom))[0];
  const c = list?.conditions.find((x) => x.code === code);
  return c ? c[lang] : `#${code}`;
}

export function cardSummary(data: CardData, lang: Lang, today: IsoDate = calendarDay()): string {
  const t = translator(lang);
  const lines: string[] = [];
  const chronicLines = (list: ChronicCondition[], indent: string) =>
    list.map((c) => `${indent}${t('summary.chronic')} ${c.code} — ${conditionName(c.code, lang, today)}, ${t('summary.until')} ${showDate(c.validUntil)}`);
  const born = (d: IsoDate) => `${t('summary.born')} ${showDate(d)}${d.includes('-00') ? ` ${t('summary.unknownPart')}` : ''}`;
  const arabic = (s: string | null, g: string | null) => (s || g ? ` / ${[s, g].filter(Boolean).join(' ')}` : '');

  const { card, holder, rights } = data;
  lines.push(`${t('summary.card')} ${card.serial} — ${card.fund}${card.agency ? ` ${card.agency}` : ''}, ${t(`summary.${card.type}`)}, ${t('summary.issued')} ${showDate(card.issued)}, ${t('summary.expires')} ${showDate(card.expires)}`);
  lines.push(`${t('summary.holder')}: ${holder.surname} ${holder.givenNames}${arabic(holder.surnameAr, holder.givenNamesAr)}`);
  lines.push(`  ${t('summary.nss')} ${holder.nss}, ${born(holder.birthDate)}, ${holder.sex}, ${t(`summary.status.${holder.status}`)}${holder.wilaya ? `, ${t('summary.wilaya')} ${holder.wilaya}` : ''}${holder.rate !== null ? `, ${t('summary.personalRate')} ${percent(holder.rate)}` : ''}`);
  lines.push(...chronicLines(holder.chronicConditions, '  '));
  lines.push(`${t('summary.rights')}: ${t(`summary.${rights.status}`)} ${t('summary.from')} ${showDate(rights.validFrom)} ${t('summary.to')} ${showDate(rights.validTo)}, ${t('summary.defaultRate')} ${percent(rights.defaultRate)}, ${rights.thirdPartyPayment ? t('summary.tpYes') : t('summary.tpNo')}`);
  lines.push(`${t('summary.beneficiaries')}:${data.beneficiaries.length === 0 ? ` ${t('summary.none')}` : ''}`);
  for (const b of data.beneficiaries as Beneficiary[]) {
    lines.push(`  ${b.index}. ${b.surname} ${b.givenNames}${arabic(b.surnameAr, b.givenNamesAr)} — ${t(`summary.relationship.${b.relationship}`)}, ${born(b.birthDate)}, ${b.sex}${b.rate !== null ? `, ${t('summary.personalRate')} ${percent(b.rate)}` : ''}`);
    lines.push(...chronicLines(b.chronicConditions, '     '));
  }
  if (data.emergency) {
    const e = data.emergency;
    lines.push(`${t('summary.emergency')}: ${t('summary.bloodGroup')} ${e.bloodGroup ?? '—'}, ${t('summary.allergies')} ${e.allergies ?? '—'}, ${t('summary.contact')} ${e.emergencyContact ?? '—'}${e.notes ? `, ${t('summary.notes')} ${e.notes}` : ''}`);
  }
  if (data.history) {
    lines.push(`${t('summary.history')}:${data.history.length === 0 ? ` ${t('summary.none')}` : ''}`);
    for (const h of data.history) {
      lines.push(`  ${showDate(h.date)} ${h.pharmacy} #${h.beneficiary} ${(h.total / 100).toFixed(2)} DA / ${(h.fund / 100).toFixed(2)} DA, ${h.items} — ${h.claimId}`);
    }
  }
  lines.push(`${t('summary.signature')}: ${t(`summary.${data.signature.status}`)}${data.signature.keyId ? ` (${data.signature.keyId})` : ''}`);
  return lines.join('\n');
}
