package fr.ordogateway.fhirvalidator;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.context.support.ValidationSupportContext;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.StructureDefinition;

/**
 * HAPI's FhirInstanceValidator on the bundled R4 core definitions plus what the server served.
 * Unknown profiles are errors (a claimed profile the reader cannot find is a broken promise).
 */
final class InstanceValidation {
  record Issue(String severity, String location, String message, String messageId, Integer line, Integer col) {}

  /** referenceIssues: the validator's own unresolved-reference findings, whatever their severity. */
  record Result(List<Issue> errors, List<Issue> warnings, List<Issue> referenceIssues) {}

  /** The validator's own reference-resolution findings (R4 bundle rules, unresolvable references). */
  private static final Set<String> UNRESOLVED_MESSAGE_IDS = Set.of(
      "BUNDLE_BUNDLE_ENTRY_NOTFOUND",
      "BUNDLE_BUNDLE_ENTRY_NOTFOUND_APPARENT",
      "BUNDLE_BUNDLE_ENTRY_NOTFOUND_CANNOT",
      "BUNDLE_BUNDLE_ENTRY_NOTFOUND_FRAGMENT",
      "BUNDLE_BUNDLE_POSSIBLE_MATCH_WRONG_FU",
      "BUNDLE_BUNDLE_POSSIBLE_MATCH_NO_FU",
      "Reference_REF_CantResolve",
      "Reference_REF_NotFound_Bundle");

  private final ValidationSupportChain chain;
  private final FhirValidator validator;

  InstanceValidation(FhirContext context, ServedConformance served, boolean anyExtensionsAllowed) {
    chain = new ValidationSupportChain(
        new DefaultProfileValidationSupport(context),
        served,
        new CommonCodeSystemsTerminologyService(context),
        new InMemoryTerminologyServerValidationSupport(context),
        new SnapshotGeneratingValidationSupport(context));
    FhirInstanceValidator module = new FhirInstanceValidator(chain);
    module.setErrorForUnknownProfiles(true);
    module.setAnyExtensionsAllowed(anyExtensionsAllowed);
    validator = context.newValidator();
    validator.registerValidatorModule(module);
  }

  /**
   * Gives every differential-only StructureDefinition served its snapshot, once, before any
   * validation. Returns the failures (url → message); the validator would report them as
   * unusable profiles anyway, this says why.
   */
  List<String> generateSnapshots(ServedConformance served) {
    List<String> failures = new ArrayList<>();
    for (IBaseResource resource : served.<IBaseResource>fetchAllStructureDefinitions()) {
      StructureDefinition sd = (StructureDefinition) resource;
      if (sd.hasSnapshot()) continue;
      try {
        IBaseResource generated =
            chain.generateSnapshot(new ValidationSupportContext(chain), sd, sd.getUrl(), null, sd.getName());
        if (generated == null) {
          failures.add(sd.getUrl() + ": no snapshot generated");
        } else {
          sd.setSnapshot(((StructureDefinition) generated).getSnapshot());
        }
      } catch (RuntimeException e) {
        failures.add(sd.getUrl() + ": " + e.getMessage());
      }
    }
    return failures;
  }

  IValidationSupport support() {
    return chain;
  }

  Result validate(String json) {
    List<Issue> errors = new ArrayList<>();
    List<Issue> warnings = new ArrayList<>();
    List<Issue> referenceIssues = new ArrayList<>();
    for (SingleValidationMessage m : validator.validateWithResult(json).getMessages()) {
      Issue issue = new Issue(m.getSeverity().getCode(), m.getLocationString(), m.getMessage(), m.getMessageId(),
          m.getLocationLine(), m.getLocationCol());
      if (m.getSeverity() == ResultSeverityEnum.ERROR || m.getSeverity() == ResultSeverityEnum.FATAL) {
        errors.add(issue);
      } else if (m.getSeverity() == ResultSeverityEnum.WARNING) {
        warnings.add(issue);
      }
      if (isUnresolvedReference(m.getMessageId())) referenceIssues.add(issue);
    }
    return new Result(errors, warnings, referenceIssues);
  }

  /** Plural messages carry a _one/_other suffix in some versions. */
  private static boolean isUnresolvedReference(String messageId) {
    return messageId != null && UNRESOLVED_MESSAGE_IDS.contains(messageId.replaceFirst("_(one|other)$", ""));
  }
}
