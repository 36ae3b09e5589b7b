/**
 * Validates CDA documents with the Java tool in tools/cda-validator (W3C XSD CDA_extended.xsd +
 * ISO Schematron CI-SIS eP-MED-DM 2024.01 via Saxon-HE/SchXslt). One JVM for all the documents of
 * a call: start-up and schema loading cost ~3 s, each document a few tens of milliseconds.
 *
 * For tests and tooling: it writes temporary files and spawns `java`, so it is not for a hot path.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { ensureJavaToolBuilt, javaToolJar } from './java-tool';

const run = promisify(execFile);

const REPO_ROOT = resolve(__dirname, '..', '..');
export const VALIDATOR_JAR = javaToolJar('cda-validator');
export const CDA_XSD = join(REPO_ROOT, 'profiles', 'ans-cda', 'infrastructure', 'cda', 'CDA_extended.xsd');
export const EP_MED_DM_SCHEMATRON = join(
  REPO_ROOT,
  'profiles',
  'ans-cda',
  'schematrons',
  'CI-SIS_EP-MED-DM_2024.01.sch',
);

export interface XsdError {
  line: number;
  col: number;
  message: string;
}

export interface SchematronFinding {
  /** The assert's @id (the CI-SIS asserts have none). */
  id: string | null;
  /** XPath of the node the rule fired on. */
  location: string;
  message: string;
  /** The assert's @role/@flag, null when absent (absent = error for a failed assert). */
  role: string | null;
}

export interface CdaValidationReport {
  /** The name given to the document (default document-<n>.xml). */
  file: string;
  xsdErrors: XsdError[];
  schematronErrors: SchematronFinding[];
  schematronWarnings: SchematronFinding[];
}

export interface ValidateCdaOptions {
  /** Names for the documents, in the same order (must be unique file names). */
  names?: string[];
  /** Schematron file; `false` to check the XSD only. Default: eP-MED-DM 2024.01. */
  schematron?: string | false;
  /** Schematron phase: '#DEFAULT' (the schema's defaultPhase), '#ALL' or a phase id. */
  phase?: string;
}

/** Builds the jar if it is missing or older than its sources (tools/cda-validator/build.sh). */
export const ensureValidatorBuilt = (): Promise<void> => ensureJavaToolBuilt('cda-validator');

export async function validateCda(
  xml: string | string[],
  options: ValidateCdaOptions = {},
): Promise<CdaValidationReport[]> {
  const documents = Array.isArray(xml) ? xml : [xml];
  if (documents.length === 0) return [];
  const names = options.names ?? documents.map((_, i) => `document-${i + 1}.xml`);
  if (
    names.length !== documents.length ||
    new Set(names).size !== names.length ||
    names.some((n) => !/^[\w.-]+$/.test(n))
  ) {
    throw new RangeError('names must be unique plain file names, one per document');
  }
  await ensureValidatorBuilt();
  const dir = await mkdtemp(join(tmpdir(), 'cda-validate-'));
  try {
    const files = names.map((name) => join(dir, name));
    await Promise.all(files.map((file, i) => writeFile(file, documents[i]!, 'utf8')));
    const schematron = options.schematron ?? EP_MED_DM_SCHEMATRON;
    const args = [
      '-jar',
      VALIDATOR_JAR,
      '--xsd',
      CDA_XSD,
      ...(schematron === false ? ['--no-schematron'] : ['--sch', schematron, '--phase', options.phase ?? '#DEFAULT']),
      ...files,
    ];
    const stdout = await runValidator(args);
    const reports = stdout
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as CdaValidationReport);
    if (reports.length !== documents.length) {
      throw new Error(`cda-validator returned ${reports.length} reports for ${documents.length} documents`);
    }
    return reports.map((report, i) => ({ ...report, file: names[i]! }));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Exit 0 = all valid, 1 = some document has errors (still a full report); anything else is a failure of the tool. */
async function runValidator(args: string[]): Promise<string> {
  try {
    const { stdout } = await run('java', args, { maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    if (failed.code === 1 && typeof failed.stdout === 'string') return failed.stdout;
    throw new Error(`cda-validator failed (exit ${String(failed.code)}): ${failed.stderr ?? String(error)}`, {
      cause: error,
    });
  }
}
