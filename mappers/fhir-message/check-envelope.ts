/**
 * fhir-message envelope (vendors §4.1, V2, V12): a FHIR R4 Bundle of type message, with an
 * identifier, a timestamp, urn:uuid fullUrls, the MessageHeader first and alone, a supported event,
 * and only the resource types that event allows. Every resource is also checked against the R4
 * JSON schema first, so that the later checks and the mapping can trust JSON types.
 */
import type { RuleCode } from '../../domain/rule-codes';
import type { Bundle, FhirResource, MessageHeader } from 'fhir/r4';
import type { Outcome, Problem } from '../../domain/problem';
import { ok, rejected } from '../../domain/problem';
import { validateFhirResource } from '../../fhir/fhir-schema';
import { MESSAGE_EVENT_SYSTEM } from '../../fhir/systems';
import { entryPath, indexBundle, type MessageBundle } from './bundle-index';
import { MESSAGE_EVENT_DEFINITIONS, isSupportedEvent } from './events';

const UUID_URN = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const problem = (code: Problem['code'], rule: RuleCode, message: string, path: string): Problem => ({
  code,
  rule,
  message,
  path,
});

export function checkEnvelope(json: unknown, expectedEvent: string): Outcome<MessageBundle> {
  const isObject = json !== null && typeof json === 'object' && !Array.isArray(json);
  if (!isObject || (json as { resourceType?: unknown }).resourceType !== 'Bundle') {
    return rejected([problem('structure', 'V2', 'the body must be a FHIR R4 Bundle of type message', 'Bundle')]);
  }
  const schemaProblems = validateFhirResource(json, 'Bundle');
  if (schemaProblems.length > 0) return rejected(schemaProblems);

  const bundle = json as Bundle<FhirResource>;
  const problems: Problem[] = [
    ...checkBundleFields(bundle),
    ...checkEntries(bundle),
    ...checkMessageHeader(bundle, expectedEvent),
  ];
  return problems.length > 0 ? rejected(problems) : ok(indexBundle(bundle));
}

function checkBundleFields(bundle: Bundle): Problem[] {
  const problems: Problem[] = [];
  if (bundle.type !== 'message') {
    problems.push(problem('value', 'V2', `Bundle.type must be 'message', found '${bundle.type ?? ''}'`, 'Bundle.type'));
  }
  if (bundle.identifier?.system === undefined) {
    problems.push(
      problem(
        'required',
        'V2',
        'Bundle.identifier.system is required (the idempotency key is system + value)',
        'Bundle.identifier.system',
      ),
    );
  }
  if (bundle.identifier?.value === undefined) {
    problems.push(
      problem(
        'required',
        'V12',
        'Bundle.identifier.value is required: it is the idempotency key of the message',
        'Bundle.identifier.value',
      ),
    );
  }
  if (bundle.timestamp === undefined) {
    problems.push(problem('required', 'V2', 'Bundle.timestamp is required', 'Bundle.timestamp'));
  }
  if ((bundle.entry ?? []).length === 0) {
    problems.push(problem('required', 'V2', 'the Bundle has no entry', 'Bundle.entry'));
  }
  return problems;
}

function checkEntries(bundle: Bundle): Problem[] {
  const problems: Problem[] = [];
  const seen = new Map<string, number>();
  (bundle.entry ?? []).forEach((entry, i) => {
    const at = `Bundle.entry[${i}]`;
    if (entry.fullUrl === undefined) {
      problems.push(
        problem('required', 'V2', 'every entry needs a fullUrl of the form urn:uuid:<uuid>', `${at}.fullUrl`),
      );
    } else if (!UUID_URN.test(entry.fullUrl)) {
      problems.push(
        problem('value', 'V2', `fullUrl '${entry.fullUrl}' is not of the form urn:uuid:<uuid>`, `${at}.fullUrl`),
      );
    } else if (seen.has(entry.fullUrl)) {
      problems.push(
        problem(
          'structure',
          'V2',
          `fullUrl '${entry.fullUrl}' is already used by entry ${seen.get(entry.fullUrl)}`,
          `${at}.fullUrl`,
        ),
      );
    } else {
      seen.set(entry.fullUrl, i);
    }
    if (!entry.resource) problems.push(problem('required', 'V2', 'every entry carries a resource', `${at}.resource`));
  });
  return problems;
}

/** First entry = the only MessageHeader, with a supported event that this mapper handles; allowed types only. */
function checkMessageHeader(bundle: Bundle<FhirResource>, expectedEvent: string): Problem[] {
  const problems: Problem[] = [];
  const entries = bundle.entry ?? [];
  const first = entries[0]?.resource;
  if (entries.length > 0 && first?.resourceType !== 'MessageHeader') {
    problems.push(
      problem(
        'structure',
        'V12',
        `the first entry must be the MessageHeader, found ${first?.resourceType ?? 'no resource'}`,
        entryPath(0),
      ),
    );
  }
  entries.forEach((entry, i) => {
    if (i > 0 && entry.resource?.resourceType === 'MessageHeader') {
      problems.push(
        problem('structure', 'V12', 'a message has exactly one MessageHeader, the first entry', entryPath(i)),
      );
    }
  });

  let eventCode = expectedEvent;
  if (first?.resourceType === 'MessageHeader') {
    const header = first as MessageHeader;
    const event = header.eventCoding;
    const at = entryPath(0);
    if (!isSupportedEvent(event?.system, event?.code)) {
      const supported = Object.keys(MESSAGE_EVENT_DEFINITIONS)
        .map((c) => `${MESSAGE_EVENT_SYSTEM}|${c}`)
        .join(', ');
      problems.push(
        problem(
          'value',
          'V2',
          `unsupported event '${event?.system ?? ''}|${event?.code ?? ''}'; supported: ${supported}`,
          `${at}.eventCoding`,
        ),
      );
    } else if (event?.code !== expectedEvent) {
      problems.push(
        problem('value', 'V2', `event '${event?.code}' is not a ${expectedEvent} message`, `${at}.eventCoding.code`),
      );
    } else {
      eventCode = event.code;
    }
    if (header.source?.endpoint === undefined) {
      problems.push(
        problem(
          'required',
          'V2',
          'MessageHeader.source.endpoint (the sending software) is required',
          `${at}.source.endpoint`,
        ),
      );
    }
  }

  const allowed = MESSAGE_EVENT_DEFINITIONS[eventCode]?.allowedResourceTypes ?? [];
  entries.forEach((entry, i) => {
    const type = entry.resource?.resourceType;
    if (type !== undefined && !allowed.includes(type)) {
      problems.push(
        problem(
          'structure',
          'V2',
          `resource type ${type} is not allowed in a ${eventCode} message (allowed: ${allowed.join(', ')})`,
          `${entryPath(i)}.resourceType`,
        ),
      );
    }
  });
  return problems;
}
