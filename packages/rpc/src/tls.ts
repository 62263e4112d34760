/**
 * TLS material for netmaster's listeners and its gRPC clients: PEM files read
 * and checked once at start (a wrong file is a start-up error naming the file,
 * not a handshake failure later), and the grpc-js credentials for mutual TLS
 * on the agent -> netmaster Control API (docs/security.md).
 *
 * Private keys live in a private field: a TlsKeyPair or MutualTls logged or
 * serialised shows the file names and the certificate's subject only.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import * as grpc from '@grpc/grpc-js';

/** The settings that name a file, for messages (e.g. `--grpc-tls-cert`). */
export interface TlsSettingNames {
  readonly cert: string;
  readonly key: string;
  readonly ca?: string;
}

function readFile(file: string, setting: string): { data: Buffer; mode: number } {
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'not a regular file' });
    return { data: fs.readFileSync(file), mode: st.mode & 0o777 };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new Error(`${setting} ${file}: cannot read it (${e.code ?? e.message})`);
  }
}

function parseCertificate(data: Buffer, file: string, setting: string): crypto.X509Certificate {
  try {
    return new crypto.X509Certificate(data);
  } catch {
    throw new Error(`${setting} ${file}: not a PEM certificate`);
  }
}

/** A certificate (chain) and its private key. */
export class TlsKeyPair {
  readonly #key: Buffer;
  /** Non-fatal findings (a key file others may read, an expired certificate). */
  readonly warnings: readonly string[];

  private constructor(
    readonly certFile: string,
    readonly keyFile: string,
    readonly cert: Buffer,
    key: Buffer,
    readonly subject: string,
    readonly validTo: string,
    warnings: string[],
  ) {
    this.#key = key;
    this.warnings = warnings;
  }

  /** Reads and checks `certFile` and `keyFile`; throws one clear Error naming the file at fault. */
  static load(certFile: string, keyFile: string, names: TlsSettingNames): TlsKeyPair {
    const cert = readFile(certFile, names.cert).data;
    const x509 = parseCertificate(cert, certFile, names.cert);
    const { data: key, mode } = readFile(keyFile, names.key);
    let privateKey: crypto.KeyObject;
    try {
      privateKey = crypto.createPrivateKey(key);
    } catch {
      // crypto's message may say why (encrypted, unsupported); it never quotes the key.
      throw new Error(`${names.key} ${keyFile}: not an unencrypted PEM private key`);
    }
    if (!x509.checkPrivateKey(privateKey)) throw new Error(`${names.key} ${keyFile} is not the key of the certificate in ${names.cert} ${certFile}`);
    const warnings: string[] = [];
    if ((mode & 0o077) !== 0) warnings.push(`${names.key} ${keyFile} may be read by others than its owner (mode ${mode.toString(8).padStart(4, '0')}); chmod 600 it`);
    if (Date.parse(x509.validTo) < Date.now()) warnings.push(`${names.cert} ${certFile} expired on ${x509.validTo}`);
    return new TlsKeyPair(certFile, keyFile, cert, key, x509.subject.replace(/\n/g, ', '), x509.validTo, warnings);
  }

  /** The PEM private key, for the one TLS context that needs it. */
  revealKey(): Buffer {
    return this.#key;
  }

  toJSON(): Record<string, string> {
    return { certFile: this.certFile, keyFile: this.keyFile, subject: this.subject, validTo: this.validTo };
  }
}

/**
 * One side of mutual TLS: our key pair and the CA that must have signed the
 * peer's certificate. Both sides (netmaster and every agent) use the same kind
 * of settings; one certificate per host may serve as both server and client
 * certificate when its extended key usage allows both (or is absent).
 */
export class MutualTls {
  private constructor(
    readonly caFile: string,
    readonly ca: Buffer,
    readonly pair: TlsKeyPair,
  ) {}

  static load(caFile: string, certFile: string, keyFile: string, names: TlsSettingNames & { readonly ca: string }): MutualTls {
    const ca = readFile(caFile, names.ca).data;
    parseCertificate(ca, caFile, names.ca);
    return new MutualTls(caFile, ca, TlsKeyPair.load(certFile, keyFile, names));
  }

  get warnings(): readonly string[] {
    return this.pair.warnings;
  }

  /** Server side: a client without a certificate signed by the CA is refused in the handshake. */
  serverCredentials(): grpc.ServerCredentials {
    return grpc.ServerCredentials.createSsl(this.ca, [{ private_key: this.pair.revealKey(), cert_chain: this.pair.cert }], true);
  }

  /** Client side: the server must present a certificate signed by the CA and valid for the host dialled. */
  channelCredentials(): grpc.ChannelCredentials {
    return grpc.credentials.createSsl(this.ca, this.pair.revealKey(), this.pair.cert);
  }

  toJSON(): Record<string, unknown> {
    return { caFile: this.caFile, ...this.pair.toJSON() };
  }
}
