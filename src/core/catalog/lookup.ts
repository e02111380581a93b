/** What pricing asks of the catalog: one product as it stood on the dispensing day. */
import type { IsoDate } from '../card/model.ts';

export interface ProductAtDate {
  /** As published. */
  registration: string;
  /** Brand, form, dosage and packaging, as the pharmacist reads them. */
  name: string;
  /** Centimes valid on the day; null when no list gives one. */
  ppa: number | null;
  tariff: number | null;
  /** null: unknown, which counts as not reimbursable. */
  reimbursable: boolean | null;
}

export interface CatalogLookup {
  /**
   * A product by barcode, or by registration number compared normalised, else the one
   * product with the same first three segments; null when none (or several) match.
   */
  product(ref: string, day: IsoDate): ProductAtDate | null;
}
