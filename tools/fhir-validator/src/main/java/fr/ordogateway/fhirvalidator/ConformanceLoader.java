package fr.ordogateway.fhirvalidator;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;

/**
 * Loads every conformance resource a server serves, the way any FHIR client would: HAPI's default
 * generic client (it reads [base]/metadata first and checks the FHIR version), one search per type,
 * following the {@code next} links.
 */
final class ConformanceLoader {
  static final List<String> TYPES = List.of(
      "StructureDefinition", "CodeSystem", "ValueSet", "SearchParameter", "MessageDefinition", "OperationDefinition");

  /** A searchset page as served, for validating the answers themselves when asked. */
  record Page(String type, int number, String url, String body) {}

  record Loaded(int total, Map<String, Integer> byType, List<Page> pages) {}

  private final FhirContext context;
  private final int maxPages;

  ConformanceLoader(FhirContext context, int maxPages) {
    this.context = context;
    this.maxPages = maxPages;
  }

  Loaded load(String base, String authorization, ServedConformance into, Failures failures) {
    IGenericClient client = StandardClient.newClient(context, base, authorization);
    ResponseCapture capture = new ResponseCapture();
    client.registerInterceptor(capture);
    Map<String, Integer> byType = new LinkedHashMap<>();
    List<Page> pages = new ArrayList<>();
    int total = 0;
    for (String type : TYPES) {
      int count = 0;
      try {
        Bundle page = client.search().forResource(type).returnBundle(Bundle.class).execute();
        for (int number = 1; ; number++) {
          ResponseCapture.Exchange served = capture.last();
          pages.add(new Page(type, number, served.url(), served.body()));
          for (Bundle.BundleEntryComponent entry : page.getEntry()) {
            Resource resource = entry.getResource();
            if (resource == null || !type.equals(resource.fhirType())) continue; // e.g. an OperationOutcome
            try {
              into.add(resource);
              count++;
            } catch (RuntimeException e) {
              failures.add("conformance", type, entry.getFullUrl() + " not loaded: " + e.getMessage());
            }
          }
          if (page.getLink(Bundle.LINK_NEXT) == null) break;
          if (number >= maxPages) {
            failures.add("conformance", type, "more than " + maxPages + " pages; stopped");
            break;
          }
          page = client.loadPage().next(page).execute();
        }
      } catch (RuntimeException e) {
        failures.add("conformance", type, "GET " + base + "/" + type + ": " + StandardClient.describe(e));
      }
      byType.put(type, count);
      total += count;
    }
    return new Loaded(total, byType, pages);
  }
}
