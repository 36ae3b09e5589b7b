/**
 * The rule codes a Problem names (`Problem.rule`), one per rule the gateway checks in what it is
 * sent and in who sends it: the vendor contract's V1–V12 (docs/vendor-formats.md §5), the
 * gateway's own intake rules (F, N, M), access rules (A) and dispensing rules (D). Every
 * OperationOutcome issue of a coded problem carries its code in `details.coding`, from the
 * CodeSystem the gateway publishes at `/fhir/CodeSystem/rules`
 * (profiles/code-systems/rules.json, which holds each code's definition; a unit test keeps both
 * lists and displays equal). Authentication, throttling, missing resources, races and outages are
 * not rules of a request's content and have no code.
 */

/** The canonical base of the gateway's conformance resources (re-exported by fhir/systems.ts). */
export const CANONICAL_BASE = 'https://ordo-gateway.example.org/fhir';
/** The CodeSystem of the rule codes. */
export const RULES_CODE_SYSTEM = `${CANONICAL_BASE}/CodeSystem/rules`;

/** Code → display (the CodeSystem's concept display; `details.text` of an issue). */
export const RULE_DISPLAYS = {
  // ---- Vendor contract (docs/vendor-formats.md §5) ----
  V1: 'Readable body',
  V2: 'Format structure',
  V3: 'INS',
  V4: 'RPPS',
  V5: 'Product and act codes',
  V6: 'Dates',
  V7: 'Quantities',
  V8: 'Non-substitution reason',
  V9: 'Number of lines',
  V10: 'Required fields per line type',
  V11: "Prescriber's structure",
  V12: 'fhir-message consistency',
  // ---- The gateway's intake rules ----
  F1: 'Media type',
  N1: 'Prescription number form',
  N2: 'Vendor number not taken',
  N3: 'Number assigned by the gateway',
  N4: 'Prescription number typo',
  M1: 'Message id reuse',
  intake: 'Intake',
  // ---- Access ----
  A1: 'Route grants',
  A2: 'Signer',
  A3: 'Prescribing scope',
  A4: 'Own prescriptions',
  A5: 'Dispensing seen by the prescriber',
  A6: 'Cancellation by its prescriber',
  A7: "Who records the patient's choice",
  A8: 'Who dispenses or executes what',
  A9: 'Who corrects a record',
  A10: 'Replacement by its prescriber',
  // ---- Dispensing and execution ----
  D1: 'Dispensing submission',
  D2: 'Performer',
  D3: 'Executed line',
  D4: 'Remaining quantity',
  D5: 'Dispensing dates',
  D6: 'Drug validity',
  D7: 'Active prescription',
  D8: 'Substitution',
  D9: 'Records stored once',
  D10: 'Cancellation',
  D11: "Patient's choice",
  D12: 'Scanned code',
  D13: 'Line not dispensed',
  D14: 'Dosage adaptation',
  D15: 'Correction of a record',
  D16: 'Renewal delay',
  D17: 'Replacement',
} as const;

export type RuleCode = keyof typeof RULE_DISPLAYS;

export const RULE_CODES = Object.keys(RULE_DISPLAYS) as RuleCode[];

export const isRuleCode = (code: string): code is RuleCode => Object.hasOwn(RULE_DISPLAYS, code);

/** The vendor contract's rules, which diagnostics have always named as a prefix ("V5: …"): kept for the vendors who read it. */
export const isContractRule = (code: RuleCode): boolean => /^V\d+$/.test(code);
