/** IHE DSG detached (manifest) XAdES-BES signature of a submission set, and its verifier (README.md beside this file). */
export { credentialsFromPkcs12, type SigningCredentials } from './credentials';
export { signSubmissionSet, sha256Base64, type ManifestDocument, type SignOptions } from './xades';
export { manifestDigests, verifyDetachedSignature, type DetachedSignatureVerdict } from './verify';
