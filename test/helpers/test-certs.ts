// Certificates for TLS tests, made by the openssl CLI in a temporary folder:
// each is self-signed, so its own file is the CA a client or server trusts.
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export interface TestCert {
  /** PEM certificate (also the CA file that trusts it). */
  cert: string;
  /** PEM private key. */
  key: string;
}

/**
 * A self-signed certificate for `cn`, valid for one day. Its subjectAltName
 * holds DNS:<cn> and, unless `ip` is false, IP:127.0.0.1.
 */
export function selfSignedCert(dir: string, cn: string, ip = true): TestCert {
  const cert = path.join(dir, `${cn}-cert.pem`);
  const key = path.join(dir, `${cn}-key.pem`);
  const san = `subjectAltName=DNS:${cn}${ip ? ',IP:127.0.0.1' : ''}`;
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', `/CN=${cn}`, '-addext', san], {
    stdio: 'ignore',
  });
  return { cert, key };
}
