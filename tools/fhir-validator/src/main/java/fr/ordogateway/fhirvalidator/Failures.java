package fr.ordogateway.fhirvalidator;

import java.util.ArrayList;
import java.util.List;

/** What the harness could not do (a server that does not answer, a profile without snapshot…). */
final class Failures {
  record Failure(String part, String name, String message) {}

  private final List<Failure> list = new ArrayList<>();

  void add(String part, String name, String message) {
    list.add(new Failure(part, name, message));
  }

  List<Failure> list() {
    return List.copyOf(list);
  }
}
