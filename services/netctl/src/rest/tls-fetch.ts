/**
 * fetch() for an https:// netmaster with our own trust settings (a CA file,
 * or --insecure), which Node's built-in fetch cannot take without an extra
 * package. Only what NetmasterClient uses: a string URL, method, headers, a
 * string body and an abort signal.
 */
import https from 'node:https';
import type { NetctlTls } from '../options';
import type { FetchFn } from './client';

/** TLS failures whose fix is a netctl setting: the message says which. */
const CERT_ERROR = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS_CERT_ALTNAME/;

export function tlsFetch(tls: NetctlTls): FetchFn {
  return (input, init) =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
      const headers: Record<string, string> = {};
      new Headers(init?.headers).forEach((value, name) => (headers[name] = value));
      const body = typeof init?.body === 'string' ? init.body : undefined;
      if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
      const req = https.request(
        url,
        {
          method: init?.method ?? 'GET',
          headers,
          // One request per connection: a kept-alive socket would hold the process open after the answer.
          agent: false,
          ...(tls.ca ? { ca: tls.ca } : {}),
          rejectUnauthorized: !tls.insecure,
          ...(init?.signal ? { signal: init.signal } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const out = new Headers();
            for (const [name, value] of Object.entries(res.headers)) {
              if (Array.isArray(value)) for (const v of value) out.append(name, v);
              else if (value !== undefined) out.set(name, value);
            }
            const status = res.statusCode ?? 502;
            // A Response with these statuses must not have a body.
            const payload = status === 204 || status === 304 || status < 200 ? null : Buffer.concat(chunks);
            resolve(new Response(payload, { status, statusText: res.statusMessage ?? '', headers: out }));
          });
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err.name === 'AbortError') {
          // Keep the timeout's own error, which NetmasterClient reports as "no answer within".
          reject(init?.signal?.reason instanceof Error ? init.signal.reason : err);
          return;
        }
        if (err.code && CERT_ERROR.test(err.code)) {
          // No `cause`: NetmasterClient would print the cause's message instead of this one.
          reject(Object.assign(new Error(`${err.message} (give netmaster's CA with --tls-ca-file, or skip the check with --insecure)`), { code: err.code }));
          return;
        }
        reject(err);
      });
      req.end(body);
    });
}
