/**
 * What to tell someone whose hand-typed prescription number matched nothing. Pure.
 *
 * Vendor numbers are any 18 characters of [0-9A-Z], so a number is always looked up first;
 * only when nothing has it does the check character of OUR numbers help explain the miss:
 *
 *  - it contains O, I, L or U, which our alphabet (Crockford's) leaves out, and reading them the
 *    Crockford way (O→0, I/L→1, U→V) gives a number whose check character matches: the letters
 *    were most likely typed for those digits;
 *  - it uses only our alphabet but its check character does not match: one character is wrong
 *    or two neighbours are swapped (the Damm check detects both, always).
 *
 * Never "did you mean …?": proposing a number that exists (e.g. the one candidate at one
 * substitution or swap found in the store) would turn the lookup into an enumeration oracle.
 * The hints only use the number typed, never the store.
 */
import type { Problem } from './problem';
import { NUMBER_LENGTH, hasValidCheckCharacter, usesGatewayAlphabet } from './prescription-number';

/** Letters people type for digits, read the way Crockford's base 32 decodes them. */
const CONFUSABLE_LETTERS: Readonly<Record<string, string>> = { O: '0', I: '1', L: '1', U: 'V' };

const lettersOutsideAlphabet = (normalized: string): string[] =>
  [...new Set([...normalized].filter((c) => c in CONFUSABLE_LETTERS))].sort();

const crockfordReading = (normalized: string): string =>
  [...normalized].map((c) => CONFUSABLE_LETTERS[c] ?? c).join('');

/**
 * The problem to answer (400) for a well-formed number that matched no prescription, or undefined
 * when nothing can be said beyond "not found" (404).
 */
export function unknownNumberHint(normalized: string): Problem | undefined {
  if (normalized.length !== NUMBER_LENGTH) return undefined;
  const confusable = lettersOutsideAlphabet(normalized);
  if (confusable.length > 0) {
    const reading = crockfordReading(normalized);
    if (!usesGatewayAlphabet(reading) || !hasValidCheckCharacter(reading)) return undefined;
    const pairs = confusable.map(
      (c) => `${c} for ${CONFUSABLE_LETTERS[c] === 'V' ? 'V' : `the digit ${CONFUSABLE_LETTERS[c]}`}`,
    );
    return {
      code: 'value',
      rule: 'N4',
      message:
        `no prescription has the number ${normalized}. Prescription numbers never contain the letters O, I, L or U: ` +
        `it looks like ${pairs.join(' and ')} was typed. Check those characters against the printed number.`,
    };
  }
  if (usesGatewayAlphabet(normalized) && !hasValidCheckCharacter(normalized)) {
    return {
      code: 'value',
      rule: 'N4',
      message:
        `no prescription has the number ${normalized}, and its check character (the last one) does not match the ` +
        `17 before it: one character is wrong or two neighbouring characters are swapped. Check the number against the printed one.`,
    };
  }
  return undefined;
}
