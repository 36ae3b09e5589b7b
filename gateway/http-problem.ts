import type { Problem } from '../domain/problem';

/** An error the client must see: an HTTP status and the problems to put in the OperationOutcome. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly problems: Problem[],
    /** Extra response headers, e.g. Retry-After. */
    readonly headers: Record<string, string> = {},
  ) {
    super(problems.map((p) => p.message).join('; '));
    this.name = 'HttpProblem';
  }

  static of(status: number, code: Problem['code'], message: string, path?: string): HttpProblem {
    return new HttpProblem(status, [{ code, message, ...(path ? { path } : {}) }]);
  }
}
