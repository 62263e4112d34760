/** Talks to a plugin socket exactly like dockerd does: POST, no Content-Type, raw body. */
import http from 'node:http';

export interface PluginResponse {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly json: Record<string, unknown>;
  readonly raw: string;
}

export function pluginCall(socketPath: string, path: string, body?: string, method = 'POST'): Promise<PluginResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { socketPath, path, method, headers: { Accept: 'application/vnd.docker.plugins.v1.2+json', ...(body !== undefined ? { 'Content-Length': Buffer.byteLength(body) } : {}) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          let json: Record<string, unknown> = {};
          try {
            json = JSON.parse(raw) as Record<string, unknown>;
          } catch {
            // left empty: the test asserts on `raw`
          }
          resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], json, raw });
        });
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}
