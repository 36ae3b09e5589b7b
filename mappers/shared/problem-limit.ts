/**
 * A rejected payload's problems, at most MAX_REPORTED_PROBLEMS of them. A 1 MiB body can hold
 * hundreds of thousands of unknown members or elements; an OperationOutcome listing them all
 * would be larger than the request and no more useful than the first hundred.
 */
import type { Problem } from '../../domain/problem';

export const MAX_REPORTED_PROBLEMS = 100;

export function limitProblems(problems: Problem[], max: number = MAX_REPORTED_PROBLEMS): Problem[] {
  if (problems.length <= max) return problems;
  const omitted = problems.length - max;
  return [
    ...problems.slice(0, max),
    {
      code: 'too-costly',
      // The problems left out are the format's structure checks' (V2, or a rule they enforce more precisely).
      rule: 'V2',
      severity: 'warning',
      message: `${omitted} more problem${omitted > 1 ? 's' : ''} not listed: fix the ${max} above and send the payload again`,
    },
  ];
}
