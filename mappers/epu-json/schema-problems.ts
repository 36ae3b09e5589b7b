/**
 * ajv errors → Problems a vendor developer can act on: one per violation, `path` = JSON pointer of
 * the offending member (for a missing member: where it should be; for an unknown member: that
 * member), a sentence instead of ajv's terse text, and the README rule (V2 by default, or the
 * more specific V3–V11 the schema keyword enforces, see SCHEMA_RULES).
 */
import type { RuleCode } from '../../domain/rule-codes';
import type { Problem } from '../../domain/problem';
import {
  EPU_LINE_TYPES,
  envelopeSchemaErrors,
  isEpuLineType,
  lineSchemaErrors,
  type ErrorObject,
} from '../../profiles/epu-json-schema';
import { PAYLOAD_LIMITS } from '../../domain/limits';

type IssueCode = Problem['code'];

// ---------------------------------------------------------------- vocabulary

/** Human reading of the schema's patterns, keyed by the pattern source. */
const PATTERN_MEANINGS: Readonly<Record<string, string>> = {
  '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$':
    'a UUID (8-4-4-4-12 hexadecimal digits)',
  '^[0-9A-Z]{18}$': '18 characters from 0-9 and A-Z',
  '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$':
    'an RFC 3339 date-time with an offset, e.g. 2026-10-14T09:32:00+02:00',
  '^[0-9]{4}-[0-9]{2}-[0-9]{2}$': 'a date YYYY-MM-DD',
  '\\S': 'a non-blank text',
  '^[19][0-9]{10}$': 'an RPPS number: 11 digits starting with 1 or 9',
  '^[0-9]{9}$': '9 digits',
  '^([0-9]{2}|2A|2B)[0-9]{7}$': 'a FINESS number: 2 digits (or 2A/2B) then 7 digits',
  '^[0-9]{5}$': '5 digits',
  '^\\+?[0-9 .()-]{6,30}$': 'a phone number (6 to 30 digits, spaces, dots, dashes or brackets, optional leading +)',
  '^[1-478][0-9]{4}([0-9]{2}|2A|2B)[0-9]{8}$':
    'an INS: 13-character NIR/NIA body (positions 6-7 may be 2A/2B) followed by a 2-digit key',
  '^340[0-9]{10}$': 'a CIP13 code: 13 digits starting with 340',
  '^[0-9]{8}$': '8 digits',
  '^[0-9]{7}$': '7 digits',
  '^[0-9]{4}$': '4 digits',
  '^[A-Z]{2,4}( [0-9]+([.,][0-9]+)?)?$':
    "an NGAP key: 2 to 4 capital letters, optionally a space and a coefficient (e.g. 'AMI 1.5')",
};

const FORMAT_MEANINGS: Readonly<Record<string, string>> = {
  date: 'a real calendar date YYYY-MM-DD',
  'date-time': 'a real RFC 3339 date-time with an offset',
};

const TYPE_NAMES: Readonly<Record<string, string>> = {
  integer: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'a boolean (true or false)',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

/** Why a conditionally required member is required (schema `if`/`then`), by member name. */
const CONDITIONS: Readonly<Record<string, string>> = {
  motifNonSubstitution: "when 'nonSubstituable' is true (MTE, EFG or CIF)",
};

/**
 * The README rule a schema check enforces, by JSON pointer pattern ('*' = any array index) and
 * keyword. Anything not listed is V2 (structure).
 */
const SCHEMA_RULES: ReadonlyArray<{ pointer: string; keywords: readonly string[]; rule: RuleCode }> = [
  { pointer: '/patient/ins/valeur', keywords: ['pattern'], rule: 'V3' },
  { pointer: '/patient/ins/oid', keywords: ['enum'], rule: 'V3' },
  { pointer: '/prescripteur/rpps', keywords: ['pattern'], rule: 'V4' },
  { pointer: '/prescripteur/remplace/rpps', keywords: ['pattern'], rule: 'V4' },
  ...['codeCIP13', 'codeCIS', 'codeLPP', 'code'].map((member) => ({
    pointer: `/lignes/*/${member}`,
    keywords: ['pattern'],
    rule: 'V5' as const,
  })),
  ...[
    '/dateRedaction',
    '/patient/dateNaissance',
    '/consentement/informeLe',
    '/contexte/accidentTravail/date',
    '/lignes/*/dateDebut',
  ].map((pointer) => ({ pointer, keywords: ['format', 'pattern'], rule: 'V6' as const })),
  ...[
    'quantite',
    'renouvellements',
    'nombreSeances',
    'posologie/structuree/quantiteParPrise',
    'posologie/structuree/prisesParJour',
    'posologie/structuree/duree/valeur',
    'duree/valeur',
    'frequence/nombre',
  ].map((member) => ({
    pointer: `/lignes/*/${member}`,
    keywords: ['minimum', 'maximum', 'exclusiveMinimum'],
    rule: 'V7' as const,
  })),
  { pointer: '/lignes/*/motifNonSubstitution', keywords: ['required'], rule: 'V8' },
  { pointer: '/lignes', keywords: ['required', 'minItems', 'maxItems'], rule: 'V9' },
  ...[
    'libelle',
    'quantite',
    'posologie',
    'code',
    'nombreSeances',
    'posologie/structuree/quantiteParPrise',
    'posologie/structuree/unite',
    'posologie/structuree/prisesParJour',
  ].map((member) => ({ pointer: `/lignes/*/${member}`, keywords: ['required'], rule: 'V10' as const })),
  { pointer: '/lignes/*', keywords: ['anyOf'], rule: 'V10' },
  { pointer: '/lignes/*/posologie', keywords: ['minProperties'], rule: 'V10' },
  { pointer: '/prescripteur/structure', keywords: ['anyOf'], rule: 'V11' },
];

/** What an object that must not be empty should contain, by JSON pointer pattern. */
const NON_EMPTY_HINTS: Readonly<Record<string, string>> = {
  '/lignes/*/posologie': "give 'texte', 'structuree' or both",
};

const ARRAY_INDEX = /\/[0-9]+(?=\/|$)/g;

function ruleFor(pointer: string, keyword: string): RuleCode {
  const pattern = pointer.replace(ARRAY_INDEX, '/*');
  return SCHEMA_RULES.find((r) => r.pointer === pattern && r.keywords.includes(keyword))?.rule ?? 'V2';
}

// ---------------------------------------------------------------- describing values

const unescapeToken = (token: string): string => token.replace(/~1/g, '/').replace(/~0/g, '~');

const lastToken = (pointer: string): string => unescapeToken(pointer.slice(pointer.lastIndexOf('/') + 1));

/** "member 'quantite'" or "'lignes[3]'" for an array item. */
function subject(pointer: string): string {
  if (pointer === '') return 'the payload';
  const token = lastToken(pointer);
  if (/^[0-9]+$/.test(token)) return `'${lastToken(pointer.slice(0, pointer.lastIndexOf('/')))}[${token}]'`;
  return `member '${token}'`;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function valueAt(root: unknown, pointer: string): unknown {
  let node = root;
  for (const raw of pointer.split('/').slice(1)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[unescapeToken(raw)];
  }
  return node;
}

// ---------------------------------------------------------------- one error → one problem

interface Described {
  path: string;
  code: IssueCode;
  message: string;
}

/** Sentence builders per ajv keyword. `value` is the offending value, `at` its pointer. */
function describe(error: ErrorObject, at: string, value: unknown): Described {
  const params = error.params as Record<string, unknown>;
  const who = subject(at);
  switch (error.keyword) {
    case 'required': {
      const member = String(params.missingProperty);
      const path = `${at}/${member}`;
      const condition = error.schemaPath.includes('/then/')
        ? (CONDITIONS[member] ?? 'by a condition of the format')
        : undefined;
      return {
        path,
        code: 'required',
        message: condition ? `member '${member}' is required ${condition}` : `member '${member}' is required here`,
      };
    }
    case 'additionalProperties': {
      const member = String(params.additionalProperty);
      return {
        path: `${at}/${member}`,
        code: 'structure',
        message: `unknown member '${member}' (the format allows no other members here)`,
      };
    }
    case 'type':
      return {
        path: at,
        code: 'structure',
        message: `${who} must be ${TYPE_NAMES[String(params.type)] ?? String(params.type)}, got ${typeOf(value)}`,
      };
    case 'enum':
      return {
        path: at,
        code: 'value',
        message: `${who} must be one of ${(params.allowedValues as unknown[]).map(shown).join(', ')}, got ${shown(value)}`,
      };
    case 'const':
      return { path: at, code: 'value', message: `${who} must be ${shown(params.allowedValue)}, got ${shown(value)}` };
    case 'pattern': {
      const meaning = PATTERN_MEANINGS[String(params.pattern)] ?? `text matching ${String(params.pattern)}`;
      return { path: at, code: 'value', message: `${who} must be ${meaning}, got ${shown(value)}` };
    }
    case 'format':
      return {
        path: at,
        code: 'value',
        message: `${who} must be ${FORMAT_MEANINGS[String(params.format)] ?? `in format ${String(params.format)}`}, got ${shown(value)}`,
      };
    case 'minLength':
      return { path: at, code: 'value', message: `${who} must not be empty` };
    case 'maxLength':
      return {
        path: at,
        code: 'value',
        message: `${who} must have at most ${String(params.limit)} characters, got ${String((value as string).length)}`,
      };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum': {
      const bound = { minimum: 'at least', maximum: 'at most', exclusiveMinimum: 'greater than' }[error.keyword];
      return {
        path: at,
        code: 'value',
        message: `${who} must be ${bound} ${String(params.limit)}, got ${shown(value)}`,
      };
    }
    case 'minItems':
      return {
        path: at,
        code: 'required',
        message: `${who} must have at least ${String(params.limit)} item(s), got ${(value as unknown[]).length}`,
      };
    case 'maxItems':
      return {
        path: at,
        code: 'value',
        message: `${who} must have at most ${String(params.limit)} items, got ${(value as unknown[]).length}`,
      };
    case 'minProperties': {
      const hint = NON_EMPTY_HINTS[at.replace(ARRAY_INDEX, '/*')] ?? 'give at least one of its members';
      return { path: at, code: 'required', message: `${who} must not be empty (${hint})` };
    }
    default:
      return { path: at, code: 'structure', message: `${who} ${error.message ?? 'does not follow the format'}` };
  }
}

// ---------------------------------------------------------------- error lists → problems

/** anyOf whose branches are all `required`: one problem naming the alternatives, at the owner. */
function anyOfProblem(error: ErrorObject, branchErrors: ErrorObject[], at: string): Described {
  const members = branchErrors
    .filter((e) => e.keyword === 'required')
    .map((e) => `'${String(e.params.missingProperty)}'`);
  if (members.length === branchErrors.length && members.length > 0) {
    return { path: at, code: 'required', message: `${subject(at)} needs at least one of ${members.join(' or ')}` };
  }
  return {
    path: at,
    code: 'structure',
    message: `${subject(at)} matches none of the allowed alternatives (${error.message ?? ''})`,
  };
}

function translate(errors: readonly ErrorObject[], prefix: string, root: unknown): Problem[] {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  const anyOfs = errors.filter((e) => e.keyword === 'anyOf');
  const inAnyOfBranch = (e: ErrorObject): boolean =>
    anyOfs.some((a) => a !== e && a.instancePath === e.instancePath && e.schemaPath.startsWith(`${a.schemaPath}/`));

  for (const error of errors) {
    if (error.keyword === 'if' || inAnyOfBranch(error)) continue; // folded into the then/anyOf report
    const at = prefix + error.instancePath;
    const described =
      error.keyword === 'anyOf'
        ? anyOfProblem(
            error,
            errors.filter(
              (e) => e.instancePath === error.instancePath && e.schemaPath.startsWith(`${error.schemaPath}/`),
            ),
            at,
          )
        : describe(error, at, valueAt(root, at));
    const key = `${described.path}\u0000${described.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push({
      code: described.code,
      path: described.path,
      message: described.message,
      rule: ruleFor(described.path, error.keyword),
    });
  }
  return problems;
}

/** Problems of a line, judged against the definition its own `type` selects. */
function lineProblems(payload: unknown, index: number): Problem[] {
  const at = `/lignes/${index}`;
  const line = valueAt(payload, at);
  if (line === null || typeof line !== 'object' || Array.isArray(line)) {
    return [
      { code: 'structure', path: at, rule: 'V2', message: `${subject(at)} must be an object, got ${typeOf(line)}` },
    ];
  }
  const type = (line as Record<string, unknown>).type;
  if (type === undefined) {
    return [
      {
        code: 'required',
        path: `${at}/type`,
        rule: 'V2',
        message: `member 'type' is required: one of ${EPU_LINE_TYPES.join(', ')}`,
      },
    ];
  }
  if (!isEpuLineType(type)) {
    return [
      {
        code: 'value',
        path: `${at}/type`,
        rule: 'V2',
        message: `member 'type' must be one of ${EPU_LINE_TYPES.join(', ')}, got ${shown(type)}`,
      },
    ];
  }
  return translate(lineSchemaErrors(type, line), at, payload);
}

/**
 * Every schema problem of a payload the schema refused: the envelope's, then each line's against
 * its own type. Lines past the maximum are not judged (the maxItems problem already rejects
 * them), so the work stays bounded whatever the body holds.
 */
export function schemaProblems(payload: unknown): Problem[] {
  const lines = valueAt(payload, '/lignes');
  const judged = Array.isArray(lines) ? Math.min(lines.length, PAYLOAD_LIMITS.maxLines) : 0;
  const problems = translate(envelopeSchemaErrors(payload), '', payload);
  for (let index = 0; index < judged; index++) problems.push(...lineProblems(payload, index));
  return problems;
}
