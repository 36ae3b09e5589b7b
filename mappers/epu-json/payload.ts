/** Shape of an epu-json 1.0 payload once it has passed the JSON Schema (vendors README §2). */
import type { EpuLineType } from '../../profiles/epu-json-schema';
import type { FacilityTypeCode } from '../../domain/facility-types';

export type FrenchPeriod = 'jour' | 'semaine' | 'mois';

export interface EpuPayload {
  formatVersion: '1.0';
  idMessage: string;
  identifiantPrescription?: string;
  dateRedaction: string;
  urgent?: boolean;
  prescripteur: {
    rpps: string;
    nom: string;
    prenom: string;
    specialite?: string;
    structure: {
      nom: string;
      numeroAM?: string;
      finess?: string;
      secteurActivite?: FacilityTypeCode;
      adresse?: { lignes: string[]; codePostal: string; ville: string };
      telephone?: string;
    };
    remplace?: { rpps: string; nom: string; prenom: string };
  };
  patient: {
    nom: string;
    prenom: string;
    dateNaissance: string;
    sexe: 'M' | 'F' | 'I';
    ins: { valeur: string; oid: string };
  };
  consentement: {
    informeLe: string;
    oppositionConsultationDelivrance: boolean;
    oppositionAlimentationDMP?: boolean;
  };
  contexte?: {
    ald?: boolean;
    accidentTravail?: { date: string };
    nonRemboursable?: boolean;
    prevention?: boolean;
  };
  lignes: EpuLine[];
}

export interface EpuDuration {
  valeur: number;
  unite: FrenchPeriod;
}

export interface EpuDrugLine {
  type: 'medicament';
  codeCIP13?: string;
  codeCIS?: string;
  libelle: string;
  posologie: {
    texte?: string;
    structuree?: { quantiteParPrise: number; unite: string; prisesParJour: number; duree?: EpuDuration };
  };
  quantite: number;
  renouvellements?: number;
  nonSubstituable?: boolean;
  motifNonSubstitution?: 'MTE' | 'EFG' | 'CIF';
  horsAMM?: boolean;
}

export interface EpuDeviceLine {
  type: 'dispositifMedical';
  codeLPP?: string;
  libelle: string;
  quantite: number;
  duree?: EpuDuration;
}

export interface EpuBiologyLine {
  type: 'acteBiologieMedicale';
  code: string;
  libelle: string;
  aDomicile?: boolean;
  dateDebut?: string;
}

export interface EpuParamedicalLine {
  type: Exclude<EpuLineType, 'medicament' | 'dispositifMedical' | 'acteBiologieMedicale'>;
  code?: string;
  libelle: string;
  nombreSeances: number;
  frequence?: { nombre: number; periode: FrenchPeriod };
  aDomicile?: boolean;
  dateDebut?: string;
}

/** Every line may say whether it is in relation to the ALD; absent: `contexte.ald`. */
export type EpuLine = (EpuDrugLine | EpuDeviceLine | EpuBiologyLine | EpuParamedicalLine) & { ald?: boolean };
