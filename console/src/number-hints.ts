/**
 * A typed or pasted prescription number, read as the API reads it (domain/prescription-number.ts),
 * with the same hints when it matches nothing (domain/prescription-number-hints.ts), in French.
 */
import { readPrescriptionNumber } from '../../domain/prescription-number';
import { unknownNumberHint } from '../../domain/prescription-number-hints';

export type NumberReading = { ok: true; number: string } | { ok: false; message: string };

export function readNumber(raw: string): NumberReading {
  const read = readPrescriptionNumber(raw.trim());
  if (read.ok) return { ok: true, number: read.value };
  const bad = [...new Set([...raw.toUpperCase().replace(/[\s-]+/g, '')].filter((c) => !/[0-9A-Z]/.test(c)))];
  const length = raw.toUpperCase().replace(/[\s-]+/g, '').length;
  return {
    ok: false,
    message:
      bad.length > 0
        ? `« ${raw} » n’est pas un numéro d’ordonnance : il contient ${bad.map((c) => `« ${c} »`).join(', ')} ; seuls 0-9 et A-Z sont utilisés (les espaces et tirets sont ignorés).`
        : `« ${raw} » n’est pas un numéro d’ordonnance : il a ${length} caractères au lieu de 18.`,
  };
}

/** Why a well-formed number may have matched nothing (typing errors), or undefined. */
export function hintFor(number: string): string | undefined {
  const hint = unknownNumberHint(number);
  if (!hint) return undefined;
  if (/letters O, I, L or U/.test(hint.message))
    return `Aucune ordonnance n’a le numéro ${number}. Un numéro d’ordonnance ne contient jamais les lettres O, I, L ou U : elles ont sans doute été tapées pour 0, 1 ou V. Vérifiez ces caractères sur l’ordonnance imprimée.`;
  return `Aucune ordonnance n’a le numéro ${number}, et son caractère de contrôle (le dernier) ne correspond pas aux 17 autres : un caractère est faux ou deux caractères voisins sont inversés. Vérifiez le numéro sur l’ordonnance imprimée.`;
}
