/**
 * Signing credentials: a PEM key + PEM certificate (+ optional chain), or read from a PKCS#12
 * bundle (the ANS "certificat logiciel" form, with node-forge). Reading them from files is the
 * worker's job (platform/signing-credentials.ts).
 */
import forge from 'node-forge';

export interface SigningCredentials {
  /** Private key, PEM (PKCS#1 or PKCS#8, unencrypted). */
  keyPem: string;
  /** The signing certificate, PEM. */
  certPem: string;
  /** Intermediate / root certificates, PEM, concatenated. */
  chainPem?: string;
}

/** The bundle's key, the certificate of that key, and every other certificate as the chain. */
export function credentialsFromPkcs12(der: Buffer, password: string): SigningCredentials {
  const asn1 = forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary')));
  const p12 = forge.pkcs12.pkcs12FromAsn1(asn1, password);
  const keyBags = [
    ...(p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag! })[forge.pki.oids.pkcs8ShroudedKeyBag!] ?? []),
    ...(p12.getBags({ bagType: forge.pki.oids.keyBag! })[forge.pki.oids.keyBag!] ?? []),
  ];
  const key = keyBags.find((bag) => bag.key)?.key as forge.pki.rsa.PrivateKey | undefined;
  if (!key) throw new RangeError('the PKCS#12 bundle holds no private key');
  const certs = (p12.getBags({ bagType: forge.pki.oids.certBag! })[forge.pki.oids.certBag!] ?? [])
    .map((bag) => bag.cert)
    .filter((cert): cert is forge.pki.Certificate => cert !== undefined && cert !== null);
  const own = certs.find((cert) => {
    const pub = cert.publicKey as forge.pki.rsa.PublicKey;
    return pub.n !== undefined && pub.n.equals(key.n) && pub.e.equals(key.e);
  });
  if (!own) throw new RangeError('the PKCS#12 bundle holds no certificate for its private key');
  const chain = certs.filter((cert) => cert !== own).map((cert) => forge.pki.certificateToPem(cert));
  const credentials: SigningCredentials = {
    keyPem: forge.pki.privateKeyToPem(key),
    certPem: forge.pki.certificateToPem(own),
  };
  return chain.length > 0 ? { ...credentials, chainPem: chain.join('') } : credentials;
}
