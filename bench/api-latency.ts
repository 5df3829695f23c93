/**
 * Relay API latency under load: POST /v1/messages at a fixed offered rate
 * (autocannon, each request with its own Idempotency-Key) against a real relay
 * process whose worker delivers to the SMTP sink at the same time.
 */
import autocannon from 'autocannon';
import { Sink } from './sink-client';
import { message, setupRelay } from './relay-throughput';

export interface LatencyFigures {
  connections: number;
  offeredRatePerSec: number;
  durationSec: number;
  requests: number;
  non2xx: number;
  apiP50Ms: number;
  apiP99Ms: number;
  achievedRatePerSec: number;
}

export async function measureApiLatency({ rate = 100, duration = 10, connections = 8 } = {}): Promise<LatencyFigures> {
  const sink = await Sink.start();
  const { relay, token, channelId } = await setupRelay(sink, 5);
  try {
    let seq = 0;
    const body = JSON.stringify(message(0, channelId));
    const result = await autocannon({
      url: `${relay.url}/v1/messages`,
      method: 'POST',
      connections,
      // rate 0: as fast as the connections go (scaling runs); otherwise a fixed offered load.
      ...(rate > 0 ? { overallRate: rate } : {}),
      duration,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body,
      requests: [
        {
          setupRequest: (req) => ({ ...req, headers: { ...req.headers, 'Idempotency-Key': `lat-${connections}-${++seq}` } }),
        },
      ],
    });
    return {
      connections,
      offeredRatePerSec: rate,
      durationSec: duration,
      requests: result.requests.total,
      non2xx: result.non2xx,
      apiP50Ms: result.latency.p50,
      apiP99Ms: result.latency.p99,
      achievedRatePerSec: result.requests.average,
    };
  } finally {
    await relay.stop();
    await sink.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await measureApiLatency({ rate: Number(process.env.BENCH_RATE ?? 100), duration: Number(process.env.BENCH_SECONDS ?? 10) }), null, 2));
}
