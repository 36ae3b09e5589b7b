package fr.ordogateway.fhirvalidator;

import ca.uhn.fhir.context.FhirContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.common.hapi.validation.support.PrePopulatedValidationSupport;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.MetadataResource;

/**
 * The conformance resources a server serves, as one link of the validation support chain.
 *
 * <p>{@link PrePopulatedValidationSupport} keeps StructureDefinitions, CodeSystems, ValueSets and
 * SearchParameters; the other canonical resources (MessageDefinition, OperationDefinition) are
 * kept here so the validator finds them too when it looks a canonical URL up.
 */
final class ServedConformance extends PrePopulatedValidationSupport {
  private final Map<String, IBaseResource> otherByUrl = new HashMap<>();
  private final List<IBaseResource> others = new ArrayList<>();

  ServedConformance(FhirContext context) {
    super(context);
  }

  @Override
  public String getName() {
    return "Conformance resources served by the gateway";
  }

  /** Adds one resource; throws IllegalArgumentException when it has no canonical url. */
  void add(IBaseResource resource) {
    String type = getFhirContext().getResourceType(resource);
    switch (type) {
      case "StructureDefinition", "CodeSystem", "ValueSet", "SearchParameter" -> addResource(resource);
      default -> addOther((MetadataResource) resource);
    }
  }

  private void addOther(MetadataResource resource) {
    String url = resource.getUrl();
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException(resource.fhirType() + " has no url");
    }
    others.add(resource);
    otherByUrl.put(url, resource);
    if (resource.hasVersion()) otherByUrl.put(url + "|" + resource.getVersion(), resource);
  }

  @Override
  public <T extends IBaseResource> T fetchResource(Class<T> type, String uri) {
    T found = super.fetchResource(type, uri);
    if (found != null || type == null) return found;
    IBaseResource other = otherByUrl.get(uri);
    return type.isInstance(other) ? type.cast(other) : null;
  }

  @Override
  public List<IBaseResource> fetchAllConformanceResources() {
    List<IBaseResource> all = new ArrayList<>(super.fetchAllConformanceResources());
    all.addAll(others);
    return all;
  }
}
