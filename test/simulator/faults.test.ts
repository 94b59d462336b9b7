import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type SimProvider, type Simulator } from '../../src/simulator/simulator.ts';
import { call, obj } from './sim-client.helper.ts';

const LIST_PATHS: Record<SimProvider, string> = {
  affogato: '/pub/v2/assets',
  mediapocket: '/api/v2/assets',
  roughy: '/v1/assets',
};
const PROVIDERS: SimProvider[] = ['affogato', 'mediapocket', 'roughy'];

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function simWith(options: Parameters<typeof startSimulator>[0]): Promise<Simulator> {
  sim = await startSimulator({ counts: { affogato: 20, mediapocket: 20, roughy: 20 }, ...options });
  return sim;
}

describe('fault injection', () => {
  it.each(PROVIDERS)('%s: 429 in the provider shape with Retry-After in seconds', async (provider) => {
    const s = await simWith({ faults: { [provider]: { rate429: 1, retryAfterSeconds: 7 } } });
    const answer = await call(s, provider, 'GET', LIST_PATHS[provider]);
    expect(answer.status).toBe(429);
    expect(answer.headers.get('retry-after')).toBe('7');
    const body = obj(answer.json);
    if (provider === 'affogato') expect(body).toEqual({ data: null, err: { code: 'rate_limited', message: expect.any(String) } });
    if (provider === 'mediapocket') expect(typeof body.error).toBe('string');
    if (provider === 'roughy') expect(body.error.code).toBe('rate_limited');
    expect(s.stats.served429ByProvider[provider]).toBe(1);
    expect(s.stats.served429).toBe(1);
  });

  it('sends Retry-After as an HTTP date when asked', async () => {
    const s = await simWith({ faults: { roughy: { rate429: 1, retryAfterSeconds: 30, retryAfterAsDate: true } } });
    const answer = await call(s, 'roughy', 'GET', '/v1/assets');
    const header = answer.headers.get('retry-after') ?? '';
    expect(header).toMatch(/GMT$/);
    const wait = Date.parse(header) - Date.now();
    expect(wait).toBeGreaterThan(28_000);
    expect(wait).toBeLessThanOrEqual(32_000);
  });

  it.each(PROVIDERS)('%s: 500 with the provider JSON error body', async (provider) => {
    const s = await simWith({ faults: { [provider]: { rate500: 1 } } });
    const answer = await call(s, provider, 'GET', LIST_PATHS[provider]);
    expect(answer.status).toBe(500);
    expect(answer.headers.get('content-type')).toMatch(/application\/json/);
    const body = obj(answer.json);
    if (provider === 'affogato') expect(body.err.code).toBe('internal_error');
    if (provider === 'mediapocket') expect(body).toEqual({ error: expect.any(String) });
    if (provider === 'roughy') expect(body.error.code).toBe('internal_error');
  });

  it.each(PROVIDERS)('%s: 502 with an HTML page', async (provider) => {
    const s = await simWith({ faults: { [provider]: { rate502Html: 1 } } });
    const answer = await call(s, provider, 'GET', LIST_PATHS[provider]);
    expect(answer.status).toBe(502);
    expect(answer.headers.get('content-type')).toMatch(/text\/html/);
    expect(answer.text).toContain('<h1>502 Bad Gateway</h1>');
    expect(answer.json).toBeUndefined();
  });

  it.each(PROVIDERS)('%s: 200 with truncated JSON', async (provider) => {
    const s = await simWith({ faults: { [provider]: { rateMalformedJson: 1 } } });
    const answer = await call(s, provider, 'GET', LIST_PATHS[provider]);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/application\/json/);
    expect(() => JSON.parse(answer.text)).toThrow();
  });

  it('error in a 200: Affogato data null with err, Media Pocket {"error"}, Roughy unaffected', async () => {
    const s = await simWith({
      faults: { affogato: { rateErrorIn200: 1 }, mediapocket: { rateErrorIn200: 1 }, roughy: { rateErrorIn200: 1 } },
    });
    const affogato = await call(s, 'affogato', 'GET', LIST_PATHS.affogato);
    expect(affogato.status).toBe(200);
    expect(obj(affogato.json)).toEqual({ data: null, err: { code: expect.any(String), message: expect.any(String) } });
    const mediapocket = await call(s, 'mediapocket', 'GET', LIST_PATHS.mediapocket);
    expect(mediapocket.status).toBe(200);
    expect(obj(mediapocket.json)).toEqual({ error: expect.any(String) });
    const roughy = await call(s, 'roughy', 'GET', LIST_PATHS.roughy);
    expect(roughy.status).toBe(200);
    expect(obj(roughy.json).items).toHaveLength(20);
  });

  it('delays answers by slowMs', async () => {
    const s = await simWith({ faults: { mediapocket: { rateSlow: 1, slowMs: 300 } } });
    const started = Date.now();
    const answer = await call(s, 'mediapocket', 'GET', LIST_PATHS.mediapocket);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(answer.status).toBe(200);
  });

  it('adds latencyMs to every answer', async () => {
    const s = await simWith({ latencyMs: 150 });
    const started = Date.now();
    await call(s, 'roughy', 'GET', '/v1/assets');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('onlyListing leaves other requests alone', async () => {
    const s = await simWith({ faults: { affogato: { rate500: 1, onlyListing: true } } });
    expect((await call(s, 'affogato', 'GET', LIST_PATHS.affogato)).status).toBe(500);
    const id = s.affogato.ids()[0] as string;
    expect((await call(s, 'affogato', 'GET', `/pub/v2/assets/${id}`)).status).toBe(200);
    expect((await call(s, 'affogato', 'POST', '/pub/v1/assets/archive', { body: { ids: [id] } })).status).toBe(200);
  });

  it('an injected fault on a destructive call has no effect, and is logged with its status', async () => {
    const s = await simWith({ faults: { roughy: { rate500: 1 } } });
    const id = s.roughy.ids()[0] as string;
    expect((await call(s, 'roughy', 'DELETE', `/v1/assets/${id}`)).status).toBe(500);
    expect(s.roughy.get(id)).toBeDefined();
    expect(s.stats.destructiveCalls).toEqual([
      { provider: 'roughy', operation: 'delete', assetIds: [id], status: 500, at: expect.any(String) },
    ]);
    s.setFaults('roughy', undefined);
    expect((await call(s, 'roughy', 'DELETE', `/v1/assets/${id}`)).status).toBe(204);
  });

  it('injects at roughly the configured rate, and the same seed gives the same sequence', async () => {
    const sequence = async (seed: number): Promise<number[]> => {
      const s = await startSimulator({ seed, counts: { mediapocket: 5 }, faults: { mediapocket: { rate500: 0.3 } } });
      try {
        const statuses: number[] = [];
        for (let i = 0; i < 200; i += 1) statuses.push((await call(s, 'mediapocket', 'GET', '/api/v2/assets')).status);
        return statuses;
      } finally {
        await s.close();
      }
    };
    const first = await sequence(9);
    expect(await sequence(9)).toEqual(first);
    const failures = first.filter((status) => status === 500).length;
    expect(failures).toBeGreaterThan(30);
    expect(failures).toBeLessThan(90);
    expect(await sequence(10)).not.toEqual(first);
  });
});

describe('rpsLimit', () => {
  it('admits the limit within a second, answers 429 with Retry-After: 1 above it, and recovers', async () => {
    const s = await simWith({ rpsLimit: { roughy: 10 } });
    const answers = await Promise.all(Array.from({ length: 25 }, () => call(s, 'roughy', 'GET', '/v1/assets?limit=1')));
    const ok = answers.filter((answer) => answer.status === 200).length;
    const limited = answers.filter((answer) => answer.status === 429);
    // All 25 normally land within one window (exactly 10 admitted); a busy machine may stretch them past it.
    expect(ok).toBeGreaterThanOrEqual(10);
    expect(ok).toBeLessThanOrEqual(15);
    expect(ok + limited.length).toBe(25);
    for (const answer of limited) {
      expect(answer.headers.get('retry-after')).toBe('1');
      expect(obj(answer.json).error.code).toBe('rate_limited');
    }
    expect(s.stats.served429ByProvider.roughy).toBe(limited.length);
    // Other providers have their own budget.
    expect((await call(s, 'affogato', 'GET', LIST_PATHS.affogato)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_050));
    expect((await call(s, 'roughy', 'GET', '/v1/assets?limit=1')).status).toBe(200);
  });

  it('holds a paced client to about the limit over time', async () => {
    const s = await simWith({ rpsLimit: { affogato: 20 } });
    const started = Date.now();
    let ok = 0;
    while (Date.now() - started < 1_500) {
      const answer = await call(s, 'affogato', 'GET', '/pub/v2/assets?page_size=1');
      if (answer.status === 200) ok += 1;
    }
    // 1.5 s of hammering at most admits two windows' worth.
    expect(ok).toBeGreaterThanOrEqual(20);
    expect(ok).toBeLessThanOrEqual(40);
    expect(s.stats.count('affogato', 'list', 429)).toBeGreaterThan(0);
  });
});
