/** XAdES-BES enveloping signature of CDA documents (README.md beside this file). */
export { credentialsFromPkcs12, type SigningCredentials } from './credentials';
export { extractSignedDocument, signXades, type SignOptions } from './xades';
