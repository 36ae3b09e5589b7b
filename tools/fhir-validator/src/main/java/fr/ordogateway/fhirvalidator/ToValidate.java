package fr.ordogateway.fhirvalidator;

/**
 * One answer to validate: its JSON as served, the address it was read from (the base for its
 * relative references outside a Bundle; may be null) and the Authorization for reading references.
 */
record ToValidate(String name, String json, String fullUrl, String authorization) {}
