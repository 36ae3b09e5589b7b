/**
 * Data minimisation of the auditor API: what an auditor sees of a stored resource. An auditor
 * audits accesses — who did what to which prescription, when, from where — and needs the
 * identifiers, statuses, dates, codes and references between resources for that; who the
 * patient is, beyond the patient's identifier, they do not need.
 *
 * Kept: everything not removed below, and the patient as a logical reference (`Patient/<id>`,
 * what AuditEvent?patient= searches by) and by identifier (the INS, where a resource carries it:
 * the patient contained in a DMP DocumentReference). The INS stays because it is what an audit
 * starts from — a patient asking who saw their data gives their INS — and what the auditor must
 * report against; it is the patient's identifier in French health data exchange (référentiel
 * INS), not a demographic element, even though a NIR encodes sex and month of birth.
 *
 * Removed from every served type and from the resources it contains:
 *  - the narrative (`text`): free XHTML that may render the patient's name, address or age;
 *  - the demographics of a contained Patient, RelatedPerson or Person (name, gender, birth date,
 *    address, telecom, photo, contacts…): only `id` and `identifier` stay, so that references to
 *    it (`#patient`) still resolve;
 *  - the `display` of references to the patient (or a relative): free text, often their name;
 * plus, per type, the elements of AUDITOR_VIEW (free text written for or about the patient,
 * who received something on their behalf, inlined documents).
 *
 * A stored Patient is served the same way as a contained one (id and identifiers), so that the
 * references of the other resources resolve at their addresses. A resource of a type the auditor
 * API does not serve is not shown at all (a Bundle entry of such a type is dropped).
 */
import type { Bundle, BundleEntry, FhirResource } from 'fhir/r4';
import { isAuditedType, type AuditedType } from './search-whitelist';

/** What is removed from a served type, beyond the rules above, and why. */
export interface AuditorViewRule {
  /** Element paths (dotted, through arrays), e.g. `dosageInstruction.patientInstruction`. */
  remove: readonly string[];
  why: string;
}

const FREE_TEXT = 'free text written for or about the patient';

/** Per served type: the elements an auditor does not see. The README prints this table. */
export const AUDITOR_VIEW: Readonly<Record<AuditedType, AuditorViewRule>> = {
  MedicationRequest: { remove: ['note', 'dosageInstruction.patientInstruction'], why: FREE_TEXT },
  DeviceRequest: { remove: ['note', 'patientInstruction'], why: FREE_TEXT },
  ServiceRequest: { remove: ['note', 'patientInstruction'], why: FREE_TEXT },
  RequestGroup: { remove: ['note'], why: FREE_TEXT },
  MedicationDispense: {
    remove: ['note', 'dosageInstruction.patientInstruction', 'receiver', 'destination'],
    why: `${FREE_TEXT}; who received the products (the patient or a relative) and where (their home)`,
  },
  Procedure: { remove: ['note'], why: FREE_TEXT },
  Consent: {
    remove: ['sourceAttachment', 'sourceReference', 'verification'],
    why: 'the signed consent form, and who confirmed the choice (the patient or a relative)',
  },
  DocumentReference: {
    remove: ['description', 'content.attachment.data'],
    why: 'a free-text description, and an inlined document (it carries the patient’s identity)',
  },
  SupplyDelivery: {
    remove: ['receiver', 'destination'],
    why: 'who received the devices (the patient or a relative) and where (their home)',
  },
  Patient: {
    remove: [],
    why: 'served as its id and identifiers only (the INS), so that references to it resolve: no demographics',
  },
  Practitioner: {
    remove: ['telecom', 'address', 'photo', 'birthDate', 'gender', 'communication'],
    why: 'a professional is shown as in the public RPPS directory (identifiers, name, qualification), not their personal details',
  },
  Organization: { remove: [], why: 'a structure is public (FINESS, name, address)' },
  AuditEvent: {
    remove: [],
    why: 'the gateway writes identifiers and references only (agents are professionals or systems)',
  },
};

/** Resources that describe a person other than a professional: contained ones keep their id and identifiers. */
const PERSON_TYPES = new Set(['Patient', 'RelatedPerson', 'Person']);
/** A literal reference to a person resource, relative or absolute, versioned or not. */
const PERSON_REFERENCE = /(?:^|\/)(?:Patient|RelatedPerson|Person)\/[^/]+(?:\/_history\/[^/]+)?$/;

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null;

/** Removes an element (and its primitive extensions, `_name`) at a dotted path, through arrays. */
function removePath(node: unknown, path: readonly string[]): void {
  if (Array.isArray(node)) {
    for (const item of node) removePath(item, path);
    return;
  }
  if (!isObject(node)) return;
  const [head = '', ...rest] = path;
  if (rest.length === 0) {
    delete node[head];
    delete node[`_${head}`];
    return;
  }
  removePath(node[head], rest);
}

/** A person as an auditor sees it: its id (references to it resolve) and its identifiers (the INS). */
function minimalPerson(person: Json): Json {
  return {
    resourceType: person.resourceType,
    ...(person.id !== undefined ? { id: person.id } : {}),
    ...(person.identifier !== undefined ? { identifier: person.identifier } : {}),
  };
}

/** Removes the display of every reference to a person (a stored one, or a contained one by `#id`). */
function removePersonDisplays(node: unknown, containedPersons: ReadonlySet<string>): void {
  if (Array.isArray(node)) {
    for (const item of node) removePersonDisplays(item, containedPersons);
    return;
  }
  if (!isObject(node)) return;
  const reference = typeof node.reference === 'string' ? node.reference : undefined;
  const toPerson =
    (reference !== undefined && (PERSON_REFERENCE.test(reference) || containedPersons.has(reference))) ||
    (typeof node.type === 'string' && PERSON_TYPES.has(node.type) && ('identifier' in node || 'display' in node));
  if (toPerson) {
    delete node.display;
    delete node._display;
  }
  for (const value of Object.values(node)) removePersonDisplays(value, containedPersons);
}

/** The resource as an auditor sees it, or undefined when the auditor API does not serve its type. */
export function auditorView<T extends FhirResource>(resource: T): T | undefined {
  if (!isAuditedType(resource.resourceType)) return undefined;
  // A stored Patient, RelatedPerson or Person: its id and identifiers (what references resolve to), nothing else.
  if (PERSON_TYPES.has(resource.resourceType)) return minimalPerson(resource as unknown as Json) as unknown as T;
  const view = structuredClone(resource) as unknown as Json;
  delete view.text;
  for (const path of AUDITOR_VIEW[resource.resourceType].remove) removePath(view, path.split('.'));
  const containedPersons = new Set<string>();
  if (Array.isArray(view.contained)) {
    view.contained = view.contained.filter(isObject).map((inner) => {
      if (PERSON_TYPES.has(String(inner.resourceType))) {
        if (typeof inner.id === 'string') containedPersons.add(`#${inner.id}`);
        return minimalPerson(inner);
      }
      const { text: _narrative, ...rest } = inner;
      return rest;
    });
  }
  removePersonDisplays(view, containedPersons);
  return view as unknown as T;
}

/**
 * A Bundle as an auditor sees it: each entry's resource through auditorView; entries of types the auditor API
 * does not serve are dropped (an OperationOutcome HAPI adds to a search stays: it says how the search went).
 */
export function auditorBundle(bundle: Bundle<FhirResource>): Bundle<FhirResource> {
  const entry = (bundle.entry ?? []).flatMap((e): BundleEntry<FhirResource>[] => {
    if (!e.resource || e.resource.resourceType === 'OperationOutcome') return [e];
    const resource = auditorView(e.resource);
    return resource ? [{ ...e, resource }] : [];
  });
  return { ...bundle, ...(bundle.entry ? { entry } : {}) };
}
