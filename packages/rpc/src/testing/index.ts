/**
 * Test helpers: import from '@contiv/rpc/testing', never from the main entry
 * point. A throwaway PKI made with openssl at test time (keys are never
 * committed): CAs and certificates for mutual TLS and HTTPS tests.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';

export interface TestCert {
  readonly cert: string;
  readonly key: string;
}

export interface TestCa extends TestCert {
  readonly name: string;
  /** A leaf certificate signed by this CA, valid for `ips` (default 127.0.0.1) and `dns` (default localhost). */
  issue(name: string, opts?: { readonly ips?: readonly string[]; readonly dns?: readonly string[] }): Promise<TestCert>;
}

export interface TestPki {
  readonly dir: string;
  newCa(name: string): Promise<TestCa>;
  cleanup(): void;
}

function openssl(args: readonly string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile('openssl', args, { cwd, timeout: 30_000 }, (err, _stdout, stderr) => (err ? reject(new Error(`openssl ${args[0]} failed: ${stderr || err.message}`)) : resolve())),
  );
}

const KEY_ARGS = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

/** A PKI in a new temporary directory (or `dir`); cleanup() removes it. */
export async function createTestPki(dir?: string): Promise<TestPki> {
  const root = dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'contiv-pki-'));
  fs.mkdirSync(root, { recursive: true, mode: 0o700 });
  const file = (name: string): string => path.join(root, name);

  const newCa = async (name: string): Promise<TestCa> => {
    const ca = { cert: file(`${name}.pem`), key: file(`${name}.key`) };
    await openssl(
      ['req', '-x509', ...KEY_ARGS, '-keyout', ca.key, '-out', ca.cert, '-days', '2', '-subj', `/CN=${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
      root,
    );
    fs.chmodSync(ca.key, 0o600);
    return {
      name,
      ...ca,
      async issue(leaf, opts = {}) {
        const out = { cert: file(`${leaf}.pem`), key: file(`${leaf}.key`) };
        const csr = file(`${leaf}.csr`);
        const ext = file(`${leaf}.ext`);
        const sans = [...(opts.ips ?? ['127.0.0.1']).map((ip) => `IP:${ip}`), ...(opts.dns ?? ['localhost']).map((d) => `DNS:${d}`)];
        // Both usages: one certificate per host serves netmaster and is the agent's client certificate.
        fs.writeFileSync(ext, `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=${sans.join(',')}\n`);
        await openssl(['req', ...KEY_ARGS, '-keyout', out.key, '-out', csr, '-subj', `/CN=${leaf}`], root);
        await openssl(['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-out', out.cert, '-days', '2', '-extfile', ext], root);
        fs.chmodSync(out.key, 0o600);
        return out;
      },
    };
  };

  return { dir: root, newCa, cleanup: () => fs.rmSync(root, { recursive: true, force: true }) };
}

/** A client that checks the server against `caPem` but has no certificate of its own (which mutual TLS must refuse). */
export function tlsWithoutClientCertificate(caPem: Buffer): grpc.ChannelCredentials {
  return grpc.credentials.createSsl(caPem);
}
