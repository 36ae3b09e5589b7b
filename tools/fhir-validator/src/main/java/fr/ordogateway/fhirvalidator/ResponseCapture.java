package fr.ordogateway.fhirvalidator;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.client.api.IHttpRequest;
import ca.uhn.fhir.rest.client.api.IHttpResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Client interceptor keeping every exchange with its raw body: what the server sent is what gets
 * validated, not HAPI's re-encoding of what it managed to parse (its default parser drops what it
 * does not know).
 */
@Interceptor
final class ResponseCapture {
  record Exchange(String method, String url, int status, String body) {}

  private final List<Exchange> exchanges = new ArrayList<>();

  @Hook(Pointcut.CLIENT_RESPONSE)
  public void response(IHttpRequest request, IHttpResponse response) throws IOException {
    response.bufferEntity(); // HAPI reads the body again after us
    String body = "";
    try (InputStream in = response.readEntity()) {
      if (in != null) body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    exchanges.add(new Exchange(request.getHttpVerbName(), request.getUri(), response.getStatus(), body));
  }

  List<Exchange> exchanges() {
    return List.copyOf(exchanges);
  }

  /** The last exchange, or null when the client sent nothing (e.g. it failed before). */
  Exchange last() {
    return exchanges.isEmpty() ? null : exchanges.get(exchanges.size() - 1);
  }
}
