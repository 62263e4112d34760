/**
 * A REST write loop for ha.e2e.ts, run inside a host's namespace:
 *
 *   node ha-write-loop.js URL PREFIX
 *
 * Creates tenants PREFIX-0, PREFIX-1, ... one after another through netmaster
 * at URL (POST /api/v1/tenants/NAME/), retrying a name until it is
 * acknowledged (Contiv's POST is create-or-update, so a retry cannot
 * duplicate). One JSON line per attempt on stdout: {name, t0, t1, status, err}
 * (status 0: no HTTP answer). SIGTERM ends it after the attempt in flight.
 */
export interface Attempt {
  readonly name: string;
  /** Epoch ms: sent, answered. */
  readonly t0: number;
  readonly t1: number;
  readonly status: number;
  readonly err?: string;
}

/** Pause between writes: about 30 a second, enough to see a gap to a few tens of ms. */
const PAUSE_MS = 30;
/** After a refusal, try again soon (the point is to see when writes work again). */
const RETRY_MS = 50;

async function main(url: string, prefix: string): Promise<void> {
  let stopping = false;
  process.on('SIGTERM', () => {
    stopping = true;
  });
  for (let n = 0; !stopping; ) {
    const name = `${prefix}-${n}`;
    const t0 = Date.now();
    let status = 0;
    let err: string | undefined;
    try {
      const res = await fetch(`${url}/api/v1/tenants/${name}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ tenantName: name }),
        signal: AbortSignal.timeout(10_000),
      });
      status = res.status;
      const text = await res.text();
      if (status !== 200) err = text.slice(0, 300);
    } catch (e) {
      const cause = e instanceof Error && e.cause instanceof Error ? e.cause : e;
      err = cause instanceof Error ? `${(cause as NodeJS.ErrnoException).code ?? cause.name}: ${cause.message}` : String(cause);
    }
    const attempt: Attempt = { name, t0, t1: Date.now(), status, ...(err !== undefined ? { err } : {}) };
    process.stdout.write(`${JSON.stringify(attempt)}\n`);
    if (status === 200) n++;
    await new Promise((r) => setTimeout(r, status === 200 ? PAUSE_MS : RETRY_MS));
  }
}

const [url, prefix] = process.argv.slice(2);
if (url === undefined || prefix === undefined) {
  console.error('usage: ha-write-loop.js URL PREFIX');
  process.exit(2);
}
main(url, prefix).then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
