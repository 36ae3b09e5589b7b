/** The OpenAPI document is plain JSON: objects of the OpenAPI 3.1 specification, built and served as they are. */
export type JsonObject = { [key: string]: unknown };
