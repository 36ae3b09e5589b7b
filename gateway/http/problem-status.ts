/**
 * The one mapping from problem kinds (domain/problem.ts) to HTTP statuses, and the
 * classification of anything a handler may throw into a status and client-safe problems.
 */
import { ProblemError, type Problem, type ProblemKind } from '../../domain/problem';
import { PAYLOAD_LIMITS } from '../../domain/limits';

export const HTTP_STATUS: Readonly<Record<ProblemKind, number>> = {
  malformed: 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  'not-allowed': 405,
  conflict: 409,
  gone: 410,
  'too-large': 413,
  unsupported: 415,
  invalid: 422,
  throttled: 429,
  internal: 500,
  upstream: 502,
  unavailable: 503,
};

export interface Classified {
  status: number;
  problems: Problem[];
  headers: Readonly<Record<string, string>>;
  /** Worth an error log line (the gateway's or a dependency's fault, not the caller's). */
  log: boolean;
}

/** Errors raised by express's body parsers carry a `type` and a `status`. */
interface BodyParserError {
  type?: string;
  status?: number;
}

const MIB = 1_048_576;
/** "1 MiB (1,048,576 bytes)": the limit as people read it, and exactly. */
const BODY_LIMIT_TEXT = `${PAYLOAD_LIMITS.maxBytes / MIB} MiB (${PAYLOAD_LIMITS.maxBytes.toLocaleString('en-US')} bytes)`;

function bodyParserProblem(err: BodyParserError): ProblemError | undefined {
  switch (err?.type) {
    case 'entity.too.large':
      return new ProblemError('too-large', [
        { code: 'too-long', rule: 'V1', message: `The request body is larger than ${BODY_LIMIT_TEXT}` },
      ]);
    case 'entity.parse.failed':
      return new ProblemError('malformed', [
        { code: 'structure', rule: 'V1', message: 'The request body is not well-formed' },
      ]);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new ProblemError('unsupported', [
        { code: 'not-supported', rule: 'F1', message: 'Unsupported content encoding or charset' },
      ]);
    default:
      if (typeof err?.status === 'number' && err.status >= 400 && err.status < 500) {
        return new ProblemError('malformed', [
          { code: 'invalid', rule: 'V1', message: 'The request could not be read' },
        ]);
      }
      return undefined;
  }
}

/** The status and client-safe problems of a failure; `requestId` lets a client quote a server fault. */
export function classify(err: unknown, requestId: string): Classified {
  const problem = err instanceof ProblemError ? err : bodyParserProblem(err as BodyParserError);
  if (!problem) {
    return {
      status: 500,
      problems: [{ code: 'exception', message: `Internal error (request ${requestId})` }],
      headers: {},
      log: true,
    };
  }
  const status = HTTP_STATUS[problem.kind];
  const serverSide = status >= 500;
  const problems = serverSide
    ? problem.problems.map((p) => ({ ...p, message: `${p.message} (request ${requestId})` }))
    : problem.problems;
  // A dependency's refusal is worth a log line even when the caller gets a 409 (a lost race on the store).
  // Whatever made the gateway unavailable passes with time: say when to come back.
  const headers =
    status === 503 && !problem.headers['retry-after'] ? { ...problem.headers, 'retry-after': '5' } : problem.headers;
  return { status, problems, headers, log: serverSide || problem.name === 'FhirServerError' };
}
