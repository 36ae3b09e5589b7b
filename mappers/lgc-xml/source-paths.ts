/**
 * Canonical JSON pointer → lgc-xml XPath, as data. Item tables are relative to /lines/<i> and
 * /Prescription/Items/Item[<i + 1>].
 */
import { fieldTable, type FieldPaths } from '../shared/source-map';

export const ROOT_PATH = '/Prescription';
export const itemPath = (index: number): string => `${ROOT_PATH}/Items/Item[${index + 1}]`;

const ENVELOPE_PATHS: FieldPaths = [
  ['', ''],
  ['/messageId', '/Header/MessageId'],
  ['/number', '/Header/EPrescriptionNumber'],
  ['/authoredOn', '/Header/IssueDate'],
  ['/priority', '/Header/Priority'],
  ['/software', '/Header/Software'],
  ['/prescriber', '/Prescriber'],
  ['/prescriber/rpps', '/Prescriber/@nationalId'],
  ['/prescriber/family', '/Prescriber/LastName'],
  ['/prescriber/given', '/Prescriber/FirstName'],
  ['/prescriber/specialty', '/Prescriber/Specialty'],
  ['/replacedPrescriber', '/Prescriber/LocumFor'],
  ['/replacedPrescriber/rpps', '/Prescriber/LocumFor/@nationalId'],
  ['/replacedPrescriber/family', '/Prescriber/LocumFor/LastName'],
  ['/replacedPrescriber/given', '/Prescriber/LocumFor/FirstName'],
  ['/organization', '/Prescriber/Practice'],
  ['/organization/name', '/Prescriber/Practice/Name'],
  ['/organization/amNumber', '/Prescriber/Practice/BillingNumber'],
  ['/organization/finess', '/Prescriber/Practice/Finess'],
  ['/organization/facilityType', '/Prescriber/Practice/@sector'],
  ['/organization/address', '/Prescriber/Practice/Address'],
  ['/organization/address/postalCode', '/Prescriber/Practice/Address/PostCode'],
  ['/organization/address/city', '/Prescriber/Practice/Address/City'],
  ['/organization/phone', '/Prescriber/Practice/Phone'],
  ['/patient', '/Patient'],
  ['/patient/gender', '/Patient/@sex'],
  ['/patient/family', '/Patient/LastName'],
  ['/patient/given', '/Patient/FirstName'],
  ['/patient/birthDate', '/Patient/BirthDate'],
  ['/patient/ins', '/Patient/INS'],
  ['/patient/ins/value', '/Patient/INS/@extension'],
  ['/patient/ins/oid', '/Patient/INS/@root'],
  ['/consent', '/Consent'],
  ['/consent/informedOn', '/Consent/@informedOn'],
  ['/consent/dispensingViewOptOut', '/Consent/@dispensingViewOptOut'],
  ['/consent/dmpOptOut', '/Consent/@dmpOptOut'],
  ['/context', '/Coverage'],
  ['/context/ald', '/Coverage/@ald'],
  ['/context/workAccidentDate', '/Coverage/WorkAccident/@date'],
  ['/context/nonReimbursable', '/Coverage/@nonReimbursable'],
  ['/context/prevention', '/Coverage/@prevention'],
  ['/lines', '/Items'],
];

const COMMON_ITEM_PATHS: FieldPaths = [
  ['', ''],
  ['/kind', '/@kind'],
  ['/label', '/Label'],
  ['/ald', '/@ald'],
];

const DRUG_ITEM_PATHS: FieldPaths = [
  ...COMMON_ITEM_PATHS,
  ['/cis', '/CIS'],
  ['/posology', '/Dosage'],
  ['/posology/text', '/Dosage'],
  ['/quantity', '/Quantity'],
  ['/renewals', '/@renewals'],
  ['/nonSubstitutable', '/NonSubstitutable'],
  ['/nonSubstitutionReason', '/NonSubstitutable/@reason'],
  ['/offLabel', '/@offLabel'],
];

const DEVICE_ITEM_PATHS: FieldPaths = [
  ...COMMON_ITEM_PATHS,
  ['/lpp', '/LPP'],
  ['/quantity', '/Quantity'],
  ['/duration', '/Duration'],
];

const LAB_ITEM_PATHS: FieldPaths = [
  ...COMMON_ITEM_PATHS,
  ['/actType', '/@kind'],
  ['/code', '/Code'],
  ['/atHome', '/@atHome'],
  ['/startDate', '/StartDate'],
];

const PARAMEDICAL_ITEM_PATHS: FieldPaths = [
  ...LAB_ITEM_PATHS,
  ['/sessions', '/Sessions'],
  ['/frequency', '/Frequency'],
];

export const ENVELOPE_TABLE = fieldTable(ENVELOPE_PATHS);
export const DRUG_ITEM_TABLE = fieldTable(DRUG_ITEM_PATHS);
export const DEVICE_ITEM_TABLE = fieldTable(DEVICE_ITEM_PATHS);
export const LAB_ITEM_TABLE = fieldTable(LAB_ITEM_PATHS);
export const PARAMEDICAL_ITEM_TABLE = fieldTable(PARAMEDICAL_ITEM_PATHS);
