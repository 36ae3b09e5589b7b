/**
 * epu-json payload (already schema-valid) → canonical Prescription + SourceMap. Pure: values are
 * copied and renamed, vocabularies translated through the tables below, nothing is checked here
 * (rules/intake does that on the canonical model).
 */
import type {
  ActLine,
  DeviceLine,
  DrugLine,
  Duration,
  Patient,
  Prescription,
  PrescriptionLine,
  SourceMap,
} from '../../domain/prescription';
import { lineAldOverride } from '../../domain/ald';
import { FRENCH_PERIOD_UNITS } from '../shared/durations';
import { tableSourceMap, type FieldTable } from '../shared/source-map';
import type {
  EpuDeviceLine,
  EpuDrugLine,
  EpuDuration,
  EpuLine,
  EpuParamedicalLine,
  EpuPayload,
  EpuBiologyLine,
} from './payload';
import {
  BIOLOGY_LINE_TABLE,
  DEVICE_LINE_TABLE,
  DRUG_LINE_TABLE,
  ENVELOPE_TABLE,
  PARAMEDICAL_LINE_TABLE,
} from './source-paths';

const GENDERS: Readonly<Record<EpuPayload['patient']['sexe'], Patient['gender']>> = {
  M: 'male',
  F: 'female',
  I: 'other',
};

/** The meaning of each non-substitution code, as the vendors README §2.4 gives it. */
const NON_SUBSTITUTION_REASONS: Readonly<Record<string, string>> = {
  MTE: 'Marge thérapeutique étroite',
  EFG: 'Enfant de moins de 6 ans, pas de générique de forme adaptée',
  CIF: 'Contre-indication formelle à un excipient à effet notoire',
};

export function toPrescription(payload: EpuPayload): { prescription: Prescription; sourceMap: SourceMap } {
  const { prescripteur, patient, consentement } = payload;
  const { structure, remplace } = prescripteur;
  const contexte = payload.contexte ?? {};
  const lineTables: Array<{ table: FieldTable; vendorBase: string }> = [];

  const prescription: Prescription = {
    messageId: payload.idMessage,
    sourceFormat: 'epu-json',
    ...(payload.identifiantPrescription !== undefined ? { number: payload.identifiantPrescription } : {}),
    authoredOn: payload.dateRedaction,
    priority: payload.urgent === true ? 'urgent' : 'routine',
    prescriber: {
      rpps: prescripteur.rpps,
      family: prescripteur.nom,
      given: prescripteur.prenom,
      ...(prescripteur.specialite !== undefined ? { specialty: prescripteur.specialite } : {}),
    },
    ...(remplace ? { replacedPrescriber: { rpps: remplace.rpps, family: remplace.nom, given: remplace.prenom } } : {}),
    organization: {
      name: structure.nom,
      ...(structure.numeroAM !== undefined ? { amNumber: structure.numeroAM } : {}),
      ...(structure.finess !== undefined ? { finess: structure.finess } : {}),
      ...(structure.secteurActivite !== undefined ? { facilityType: structure.secteurActivite } : {}),
      ...(structure.adresse
        ? {
            address: {
              lines: [...structure.adresse.lignes],
              postalCode: structure.adresse.codePostal,
              city: structure.adresse.ville,
            },
          }
        : {}),
      ...(structure.telephone !== undefined ? { phone: structure.telephone } : {}),
    },
    patient: {
      family: patient.nom,
      given: patient.prenom,
      birthDate: patient.dateNaissance,
      gender: GENDERS[patient.sexe],
      ins: { value: patient.ins.valeur, oid: patient.ins.oid },
    },
    consent: {
      informedOn: consentement.informeLe,
      dispensingViewOptOut: consentement.oppositionConsultationDelivrance,
      dmpOptOut: consentement.oppositionAlimentationDMP === true,
    },
    context: {
      ald: contexte.ald === true,
      ...(contexte.accidentTravail ? { workAccidentDate: contexte.accidentTravail.date } : {}),
      nonReimbursable: contexte.nonRemboursable === true,
      prevention: contexte.prevention === true,
    },
    lines: payload.lignes.map((line, index) => {
      const { canonical, table } = toLine(line);
      lineTables.push({ table, vendorBase: `/lignes/${index}` });
      return { ...canonical, ...lineAldOverride(line.ald, contexte.ald === true) };
    }),
  };
  const extra: Record<string, string> = {};
  structure.adresse?.lignes.forEach((_, i) => {
    extra[`/organization/address/lines/${i}`] = `/prescripteur/structure/adresse/lignes/${i}`;
  });
  const sourceMap = tableSourceMap({ envelope: ENVELOPE_TABLE, vendorRoot: '', lines: lineTables, extra });
  return { prescription, sourceMap };
}

function toLine(line: EpuLine): { canonical: PrescriptionLine; table: FieldTable } {
  switch (line.type) {
    case 'medicament':
      return { canonical: toDrugLine(line), table: DRUG_LINE_TABLE };
    case 'dispositifMedical':
      return { canonical: toDeviceLine(line), table: DEVICE_LINE_TABLE };
    case 'acteBiologieMedicale':
      return { canonical: toActLine(line), table: BIOLOGY_LINE_TABLE };
    default:
      return { canonical: toActLine(line), table: PARAMEDICAL_LINE_TABLE };
  }
}

const toDuration = (duree: EpuDuration): Duration => ({ value: duree.valeur, unit: FRENCH_PERIOD_UNITS[duree.unite]! });

function toDrugLine(line: EpuDrugLine): DrugLine {
  const { texte, structuree } = line.posologie;
  const reasonCode = line.motifNonSubstitution;
  return {
    kind: 'drug',
    ...(line.codeCIP13 !== undefined ? { cip13: line.codeCIP13 } : {}),
    ...(line.codeCIS !== undefined ? { cis: line.codeCIS } : {}),
    label: line.libelle,
    posology: {
      ...(texte !== undefined ? { text: texte } : {}),
      ...(structuree
        ? {
            structured: {
              dosePerIntake: structuree.quantiteParPrise,
              unit: structuree.unite,
              intakesPerDay: structuree.prisesParJour,
              ...(structuree.duree ? { duration: toDuration(structuree.duree) } : {}),
            },
          }
        : {}),
    },
    quantity: line.quantite,
    renewals: line.renouvellements ?? 0,
    nonSubstitutable: line.nonSubstituable === true,
    ...(reasonCode !== undefined
      ? { nonSubstitutionReason: { code: reasonCode, text: NON_SUBSTITUTION_REASONS[reasonCode] ?? reasonCode } }
      : {}),
    offLabel: line.horsAMM === true,
  };
}

function toDeviceLine(line: EpuDeviceLine): DeviceLine {
  return {
    kind: 'device',
    ...(line.codeLPP !== undefined ? { lpp: line.codeLPP } : {}),
    label: line.libelle,
    quantity: line.quantite,
    ...(line.duree ? { duration: toDuration(line.duree) } : {}),
  };
}

function toActLine(line: EpuBiologyLine | EpuParamedicalLine): ActLine {
  const paramedical = line.type === 'acteBiologieMedicale' ? undefined : line;
  return {
    kind: 'act',
    actType: line.type,
    ...(line.code !== undefined ? { code: line.code } : {}),
    label: line.libelle,
    ...(paramedical ? { sessions: paramedical.nombreSeances } : {}),
    ...(paramedical?.frequence
      ? {
          frequency: {
            count: paramedical.frequence.nombre,
            periodUnit: FRENCH_PERIOD_UNITS[paramedical.frequence.periode]!,
          },
        }
      : {}),
    atHome: line.aDomicile === true,
    ...(line.dateDebut !== undefined ? { startDate: line.dateDebut } : {}),
  };
}
