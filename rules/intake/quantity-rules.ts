/**
 * V7: quantities. Each numeric field of a line, with its limits, as data. Absent fields are not
 * checked here (V10 says which are required).
 */
import type { PrescriptionLine } from '../../domain/prescription';
import { lineName, linePath } from './describe';
import type { Rule } from './types';

interface Limits {
  integer: boolean;
  min: number;
  /** When true, the value must be strictly greater than min. */
  exclusiveMin?: boolean;
  max?: number;
}

interface NumericField {
  /** Relative to the line. */
  path: string;
  label: string;
  get: (line: PrescriptionLine) => number | undefined;
  limits: Limits;
}

const WHOLE_AT_LEAST_1: Limits = { integer: true, min: 1 };

const NUMERIC_FIELDS: ReadonlyArray<NumericField> = [
  {
    path: '/quantity',
    label: 'box quantity',
    get: (l) => (l.kind === 'drug' ? l.quantity : undefined),
    limits: WHOLE_AT_LEAST_1,
  },
  {
    path: '/renewals',
    label: 'number of renewals',
    get: (l) => (l.kind === 'drug' ? l.renewals : undefined),
    limits: { integer: true, min: 0, max: 11 },
  },
  {
    path: '/posology/structured/dosePerIntake',
    label: 'dose per intake',
    get: (l) => (l.kind === 'drug' ? l.posology.structured?.dosePerIntake : undefined),
    limits: { integer: false, min: 0, exclusiveMin: true },
  },
  {
    path: '/posology/structured/intakesPerDay',
    label: 'intakes per day',
    get: (l) => (l.kind === 'drug' ? l.posology.structured?.intakesPerDay : undefined),
    limits: { integer: true, min: 1, max: 24 },
  },
  {
    path: '/posology/structured/duration/value',
    label: 'treatment duration',
    get: (l) => (l.kind === 'drug' ? l.posology.structured?.duration?.value : undefined),
    limits: WHOLE_AT_LEAST_1,
  },
  {
    path: '/quantity',
    label: 'device quantity',
    get: (l) => (l.kind === 'device' ? l.quantity : undefined),
    limits: WHOLE_AT_LEAST_1,
  },
  {
    path: '/duration/value',
    label: 'duration',
    get: (l) => (l.kind === 'device' ? l.duration?.value : undefined),
    limits: WHOLE_AT_LEAST_1,
  },
  {
    path: '/sessions',
    label: 'number of sessions',
    get: (l) => (l.kind === 'act' ? l.sessions : undefined),
    limits: WHOLE_AT_LEAST_1,
  },
  {
    path: '/frequency/count',
    label: 'frequency',
    get: (l) => (l.kind === 'act' ? l.frequency?.count : undefined),
    limits: WHOLE_AT_LEAST_1,
  },
];

function expectation({ integer, min, exclusiveMin, max }: Limits): string {
  const what = integer ? 'a whole number' : 'a number';
  if (max !== undefined) return `${what} from ${min} to ${max}`;
  return `${what} ${exclusiveMin ? 'greater than' : 'of at least'} ${min}`;
}

function withinLimits(value: number, { integer, min, exclusiveMin, max }: Limits): boolean {
  if (!Number.isFinite(value) || (integer && !Number.isInteger(value))) return false;
  if (exclusiveMin ? value <= min : value < min) return false;
  return max === undefined || value <= max;
}

export const quantitiesAreInRange: Rule = ({ lines }, _context, report) => {
  lines.forEach((line, index) => {
    for (const field of NUMERIC_FIELDS) {
      const value = field.get(line);
      if (value === undefined || withinLimits(value, field.limits)) continue;
      report({
        rule: 'V7',
        code: 'value',
        path: `${linePath(index)}${field.path}`,
        message: `${field.label} of ${lineName(line, index)} is ${value}; it must be ${expectation(field.limits)}`,
      });
    }
  });
};
