/**
 * Labels of the readable `chifa price` table, in French (default), Arabic and English. Kept
 * apart from locales.ts so the pricing screens own their words; the sentences of reasons and
 * notes are data (data/rules/pricing-reasons.json).
 */
import type { Lang } from './locales.ts';

export interface PricingLabels {
  title: string;
  beneficiary: string;
  holder: string;
  product: string;
  quantity: string;
  ppa: string;
  base: string;
  rate: string;
  fund: string;
  patient: string;
  totals: string;
  price: string;
  tpYes: string;
  tpNo: string;
  unknown: string;
}

export const pricingLabels: Record<Lang, PricingLabels> = {
  fr: {
    title: 'Ordonnance du',
    beneficiary: 'bénéficiaire',
    holder: 'assuré',
    product: 'Produit',
    quantity: 'Qté',
    ppa: 'PPA',
    base: 'Base',
    rate: 'Taux',
    fund: 'Caisse',
    patient: 'Patient',
    totals: 'Total',
    price: 'prix',
    tpYes: 'Tiers payant : OUI',
    tpNo: 'Tiers payant : NON, le patient paie la totalité',
    unknown: 'inconnu',
  },
  ar: {
    title: 'وصفة بتاريخ',
    beneficiary: 'المستفيد',
    holder: 'المؤمَّن له',
    product: 'المنتج',
    quantity: 'الكمية',
    ppa: 'السعر العمومي',
    base: 'الأساس',
    rate: 'النسبة',
    fund: 'الصندوق',
    patient: 'المريض',
    totals: 'المجموع',
    price: 'السعر',
    tpYes: 'الدفع من قبل الغير: نعم',
    tpNo: 'الدفع من قبل الغير: لا، يدفع المريض المبلغ كاملا',
    unknown: 'غير معروف',
  },
  en: {
    title: 'Prescription of',
    beneficiary: 'beneficiary',
    holder: 'insured',
    product: 'Product',
    quantity: 'Qty',
    ppa: 'PPA',
    base: 'Base',
    rate: 'Rate',
    fund: 'Fund',
    patient: 'Patient',
    totals: 'Total',
    price: 'price',
    tpYes: 'Third-party payment: YES',
    tpNo: 'Third-party payment: NO, the patient pays in full',
    unknown: 'unknown',
  },
};
