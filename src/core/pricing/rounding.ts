/**
 * Integer centime arithmetic of pricing-rules.md: exact at any magnitude. Products that stay
 * within Number's safe integers are computed as numbers (exact there); anything larger goes
 * through BigInt, so no float rounding ever reaches a share.
 */
import { ChifaError } from '../errors.ts';

const MAX = Number.MAX_SAFE_INTEGER;
const MAX_BIG = BigInt(MAX);

/** Basis points of 100 %. */
export const FULL_RATE = 10000;

export interface FundShare {
  /** Centimes, rounded half up. */
  fund: number;
  /** True when base × quantity × rate / 10000 was not a whole number of centimes. */
  rounded: boolean;
}

/**
 * base × quantity × rate / 10000, rounded half up to the centime (all operands are
 * non-negative integers, so half up is floor((n + 5000) / 10000)).
 */
export function fundShare(base: number, quantity: number, rate: number): FundShare {
  const bq = base * quantity;
  const n = bq * rate;
  // A float product of integers is exact while the true product is below 2^53; at or above
  // it the rounded product is too, so isSafeInteger rejects every inexact case.
  if (Number.isSafeInteger(bq) && Number.isSafeInteger(n)) {
    const rest = n % FULL_RATE;
    const whole = (n - rest) / FULL_RATE;
    return { fund: rest >= FULL_RATE / 2 ? whole + 1 : whole, rounded: rest !== 0 };
  }
  return fundShareBig(base, quantity, rate);
}

/** The same share in BigInt only: the reference the fast path is tested against. */
export function fundShareBig(base: number | bigint, quantity: number | bigint, rate: number | bigint): FundShare {
  const n = BigInt(base) * BigInt(quantity) * BigInt(rate);
  const full = BigInt(FULL_RATE);
  const rest = n % full;
  const whole = n / full;
  const fund = rest * 2n >= full ? whole + 1n : whole;
  return { fund: toSafe(fund, 'fund share'), rounded: rest !== 0n };
}

/** a × b, exact, or invalid-input when the amount is beyond what a JSON number holds exactly. */
export function times(a: number, b: number, what: string): number {
  const p = a * b;
  if (Number.isSafeInteger(p)) return p;
  return toSafe(BigInt(a) * BigInt(b), what);
}

/** a + b, exact, or invalid-input. */
export function plus(a: number, b: number, what: string): number {
  const s = a + b;
  if (Number.isSafeInteger(s)) return s;
  return toSafe(BigInt(a) + BigInt(b), what);
}

function toSafe(n: bigint, what: string): number {
  if (n > MAX_BIG || n < -MAX_BIG) {
    throw new ChifaError('invalid-input', `${what} exceeds ${MAX} centimes: quantity or price too large`);
  }
  return Number(n);
}
