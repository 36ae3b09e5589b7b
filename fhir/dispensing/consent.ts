/**
 * The patient's choice about the prescriber seeing what was dispensed or executed on the
 * prescription (the printed mention "ne s'oppose pas à ce que je puisse consulter ce qui a été
 * délivré ou exécuté"; CSP: an objection can be made later too). Stored as the prescription's
 * `consultation-delivrance` Consent: provision.type deny = the patient objects. Pure.
 */
import type { Consent } from 'fhir/r4';
import type { Outcome } from '../../domain/problem';
import { ok, rejected } from '../../domain/problem';
import { consentTopic } from '../read-prescription';
import { CONSENT_TOPICS, CONSENT_TOPIC_SYSTEM } from '../systems';

export const isDispensingViewConsent = (consent: Consent): boolean =>
  (consent.policyRule?.coding ?? []).some(
    (c) => c.system === CONSENT_TOPIC_SYSTEM && c.code === CONSENT_TOPICS.dispensingView,
  );

/**
 * An absent or unreadable consent is treated as an objection: the data is not shown without a recorded "no
 * objection".
 */
export const patientObjectsToDispensingView = (consent: Consent | undefined): boolean =>
  consent === undefined || consent.status !== 'active' || consent.provision?.type !== 'permit';

export const objectionMessage = (number: string): string =>
  `the patient objects to the prescriber seeing what was dispensed or executed on prescription ${number}`;

/** The consent as it must be stored after the patient's new choice (`dateTime` = when it was recorded). */
export function withPatientChoice(consent: Consent, objects: boolean, now: Date): Consent {
  const { meta: _meta, ...rest } = consent;
  return {
    ...rest,
    ...(consent.meta?.profile ? { meta: { profile: consent.meta.profile } } : {}),
    status: 'active',
    dateTime: now.toISOString(),
    provision: { ...consent.provision, type: objects ? 'deny' : 'permit' },
  };
}

/**
 * The patient's choice from a request body: `{"oppositionConsultationDelivrance": true|false}` (the
 * epu-json member name) or a FHIR Consent whose provision.type says deny (objection) or permit.
 */
export function readPatientChoice(json: unknown): Outcome<boolean> {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    return rejected([
      {
        code: 'structure',
        rule: 'D11',
        message: 'the body must be a JSON object: {"oppositionConsultationDelivrance": true|false} or a FHIR Consent',
      },
    ]);
  }
  const body = json as Record<string, unknown>;
  if (body.resourceType === 'Consent') {
    const consent = body as unknown as Consent;
    const topic = consentTopic(consent);
    if (topic !== undefined && topic !== CONSENT_TOPICS.dispensingView) {
      return rejected([
        {
          code: 'not-supported',
          rule: 'D11',
          path: 'Consent.policyRule.coding',
          message: `only the ${CONSENT_TOPICS.dispensingView} choice can be changed here, not ${topic}`,
        },
      ]);
    }
    const type = consent.provision?.type;
    if (type !== 'deny' && type !== 'permit') {
      return rejected([
        {
          code: 'required',
          rule: 'D11',
          path: 'Consent.provision.type',
          message: 'provision.type must be deny (the patient objects) or permit (the patient does not object)',
        },
      ]);
    }
    return ok(type === 'deny');
  }
  const extra = Object.keys(body).filter((k) => k !== 'oppositionConsultationDelivrance');
  if (extra.length > 0)
    return rejected([
      { code: 'structure', rule: 'D11', path: `/${extra[0]}`, message: `unknown member '${extra[0]}'` },
    ]);
  const value = body.oppositionConsultationDelivrance;
  if (typeof value !== 'boolean') {
    return rejected([
      {
        code: 'required',
        rule: 'D11',
        path: '/oppositionConsultationDelivrance',
        message: 'oppositionConsultationDelivrance must be true (the patient objects) or false',
      },
    ]);
  }
  return ok(value);
}
