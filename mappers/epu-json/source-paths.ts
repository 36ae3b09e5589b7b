/**
 * Canonical JSON pointer → epu-json JSON pointer, as data. Line tables are relative to
 * /lines/<i> and /lignes/<i> (both 0-based).
 */
import { fieldTable, type FieldPaths } from '../shared/source-map';

const ENVELOPE_PATHS: FieldPaths = [
  ['/messageId', '/idMessage'],
  ['/number', '/identifiantPrescription'],
  ['/authoredOn', '/dateRedaction'],
  ['/priority', '/urgent'],
  ['/prescriber', '/prescripteur'],
  ['/prescriber/rpps', '/prescripteur/rpps'],
  ['/prescriber/family', '/prescripteur/nom'],
  ['/prescriber/given', '/prescripteur/prenom'],
  ['/prescriber/specialty', '/prescripteur/specialite'],
  ['/replacedPrescriber', '/prescripteur/remplace'],
  ['/replacedPrescriber/rpps', '/prescripteur/remplace/rpps'],
  ['/replacedPrescriber/family', '/prescripteur/remplace/nom'],
  ['/replacedPrescriber/given', '/prescripteur/remplace/prenom'],
  ['/organization', '/prescripteur/structure'],
  ['/organization/name', '/prescripteur/structure/nom'],
  ['/organization/amNumber', '/prescripteur/structure/numeroAM'],
  ['/organization/finess', '/prescripteur/structure/finess'],
  ['/organization/facilityType', '/prescripteur/structure/secteurActivite'],
  ['/organization/address', '/prescripteur/structure/adresse'],
  ['/organization/address/lines', '/prescripteur/structure/adresse/lignes'],
  ['/organization/address/postalCode', '/prescripteur/structure/adresse/codePostal'],
  ['/organization/address/city', '/prescripteur/structure/adresse/ville'],
  ['/organization/phone', '/prescripteur/structure/telephone'],
  ['/patient', '/patient'],
  ['/patient/family', '/patient/nom'],
  ['/patient/given', '/patient/prenom'],
  ['/patient/birthDate', '/patient/dateNaissance'],
  ['/patient/gender', '/patient/sexe'],
  ['/patient/ins', '/patient/ins'],
  ['/patient/ins/value', '/patient/ins/valeur'],
  ['/patient/ins/oid', '/patient/ins/oid'],
  ['/consent', '/consentement'],
  ['/consent/informedOn', '/consentement/informeLe'],
  ['/consent/dispensingViewOptOut', '/consentement/oppositionConsultationDelivrance'],
  ['/consent/dmpOptOut', '/consentement/oppositionAlimentationDMP'],
  ['/context', '/contexte'],
  ['/context/ald', '/contexte/ald'],
  ['/context/workAccidentDate', '/contexte/accidentTravail/date'],
  ['/context/nonReimbursable', '/contexte/nonRemboursable'],
  ['/context/prevention', '/contexte/prevention'],
  ['/lines', '/lignes'],
];

const DURATION = (canonical: string, vendor: string): FieldPaths => [
  [canonical, vendor],
  [`${canonical}/value`, `${vendor}/valeur`],
  [`${canonical}/unit`, `${vendor}/unite`],
];

const DRUG_LINE_PATHS: FieldPaths = [
  ['', ''],
  ['/ald', '/ald'],
  ['/kind', '/type'],
  ['/cip13', '/codeCIP13'],
  ['/cis', '/codeCIS'],
  ['/label', '/libelle'],
  ['/posology', '/posologie'],
  ['/posology/text', '/posologie/texte'],
  ['/posology/structured', '/posologie/structuree'],
  ['/posology/structured/dosePerIntake', '/posologie/structuree/quantiteParPrise'],
  ['/posology/structured/unit', '/posologie/structuree/unite'],
  ['/posology/structured/intakesPerDay', '/posologie/structuree/prisesParJour'],
  ...DURATION('/posology/structured/duration', '/posologie/structuree/duree'),
  ['/quantity', '/quantite'],
  ['/renewals', '/renouvellements'],
  ['/nonSubstitutable', '/nonSubstituable'],
  ['/nonSubstitutionReason', '/motifNonSubstitution'],
  ['/offLabel', '/horsAMM'],
];

const DEVICE_LINE_PATHS: FieldPaths = [
  ['', ''],
  ['/ald', '/ald'],
  ['/kind', '/type'],
  ['/lpp', '/codeLPP'],
  ['/label', '/libelle'],
  ['/quantity', '/quantite'],
  ...DURATION('/duration', '/duree'),
];

const BIOLOGY_LINE_PATHS: FieldPaths = [
  ['', ''],
  ['/ald', '/ald'],
  ['/kind', '/type'],
  ['/actType', '/type'],
  ['/code', '/code'],
  ['/label', '/libelle'],
  ['/atHome', '/aDomicile'],
  ['/startDate', '/dateDebut'],
];

const PARAMEDICAL_LINE_PATHS: FieldPaths = [
  ...BIOLOGY_LINE_PATHS,
  ['/sessions', '/nombreSeances'],
  ['/frequency', '/frequence'],
  ['/frequency/count', '/frequence/nombre'],
  ['/frequency/periodUnit', '/frequence/periode'],
];

export const ENVELOPE_TABLE = fieldTable(ENVELOPE_PATHS);
export const DRUG_LINE_TABLE = fieldTable(DRUG_LINE_PATHS);
export const DEVICE_LINE_TABLE = fieldTable(DEVICE_LINE_PATHS);
export const BIOLOGY_LINE_TABLE = fieldTable(BIOLOGY_LINE_PATHS);
export const PARAMEDICAL_LINE_TABLE = fieldTable(PARAMEDICAL_LINE_PATHS);
