/**
 * The texts of a JSON vendor payload that may not be stored (domain/text.ts: control characters
 * but tab/CR/LF, lone surrogates), as problems at their JSON pointer. JSON carries them only as
 * escapes (\u0001, \uD800), which JSON.parse accepts and no schema pattern of ours refuses.
 */
import type { Problem } from '../../domain/problem';
import { forbiddenTextsIn } from '../../domain/text';
import { escapePointerToken } from './json-reader';
import { MAX_REPORTED_PROBLEMS } from './problem-limit';

export function jsonTextProblems(json: unknown): Problem[] {
  return forbiddenTextsIn(json, MAX_REPORTED_PROBLEMS).map(({ path, reason }) => ({
    code: 'value',
    rule: 'V2',
    message: reason,
    path: path.map((step) => `/${typeof step === 'number' ? step : escapePointerToken(step)}`).join('') || '/',
  }));
}
