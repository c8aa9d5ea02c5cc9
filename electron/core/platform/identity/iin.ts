/**
 * Kazakhstan's individual identification number (ИИН / ЖСН): YYMMDD, a century-and-sex digit,
 * four serial digits and a check digit. Validated fully here, in core, so no screen can skip it.
 */

export type IinProblem = 'length' | 'date' | 'century' | 'checksum';
export type IinCheck = { valid: true } | { valid: false; problem: IinProblem };

const firstWeights = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const secondWeights = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2];

/**
 * The check digit for the first eleven digits, or null when the number cannot have one (the sum is
 * 10 modulo 11 with both sets of weights; such numbers are never issued).
 */
export function iinCheckDigit(first11: string): number | null {
  if (!/^\d{11}$/.test(first11)) throw new Error('iinCheckDigit needs exactly 11 digits');
  const digits = [...first11].map(Number);
  const weighted = (weights: number[]) => digits.reduce((sum, d, i) => sum + d * weights[i]!, 0) % 11;
  let check = weighted(firstWeights);
  if (check === 10) check = weighted(secondWeights);
  return check === 10 ? null : check;
}

/** Century of birth from the seventh digit: 1–2 → 1800s, 3–4 → 1900s, 5–6 → 2000s. */
function centuryOf(digit: number): number | null {
  if (digit < 1 || digit > 6) return null;
  return 1800 + Math.floor((digit - 1) / 2) * 100;
}

/** Checks an IIN; `now` bounds the birth date (nobody checks in before being born). */
export function checkIin(input: string, now: Date = new Date()): IinCheck {
  if (!/^\d{12}$/.test(input)) return { valid: false, problem: 'length' };
  const century = centuryOf(Number(input[6]));
  if (century === null) return { valid: false, problem: 'century' };
  const year = century + Number(input.slice(0, 2));
  const month = Number(input.slice(2, 4));
  const day = Number(input.slice(4, 6));
  const date = new Date(Date.UTC(year, month - 1, day));
  const real =
    month >= 1 &&
    month <= 12 &&
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day;
  if (!real || date.getTime() > now.getTime()) return { valid: false, problem: 'date' };
  const check = iinCheckDigit(input.slice(0, 11));
  if (check === null || check !== Number(input[11])) return { valid: false, problem: 'checksum' };
  return { valid: true };
}

/** The only form in which an IIN is shown or logged: bullets and the last four digits. */
export function maskIin(iin: string): string {
  const digits = iin.replace(/\D/g, '');
  return `${'•'.repeat(Math.max(0, digits.length - 4))}${digits.slice(-4)}`;
}
