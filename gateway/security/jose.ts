/**
 * jose 6 is published as an ES module only. Node 20.19+ loads it with require(); TypeScript's
 * Node16 module mode does not know that yet, so the types are imported in "import" resolution
 * mode and the module is required here, once, for the whole gateway.
 */
import type * as Jose from 'jose' with { 'resolution-mode': 'import' };

export type { CryptoKey, JWK, JWTPayload, JWTVerifyGetKey, JWSHeaderParameters } from 'jose' with {
  'resolution-mode': 'import',
};

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const jose: typeof Jose = require('jose');
