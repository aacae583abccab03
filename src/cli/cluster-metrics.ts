import cluster from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';

/** How long a worker waits for the primary's aggregate before answering 503. */
const METRICS_TIMEOUT_MS = 6_000;

interface MetricsRequest { type: 'tailor:metrics'; id: number }
interface MetricsReply { type: 'tailor:metrics-reply'; id: number; text?: string; error?: string }

/**
 * In the primary of `tailor serve --workers N`: answers a worker's request for the metrics
 * of the whole cluster by asking every worker for its own (prom-client's cluster protocol)
 * and summing them — counters and histograms add up, queue lengths add up, `tailor_info`
 * and process start times are not summed.
 */
export function answerMetricsRequests(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, m: unknown) => {
    const message = m as Partial<MetricsRequest>;
    if (message.type !== 'tailor:metrics' || typeof message.id !== 'number') return;
    const id = message.id;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: 'tailor:metrics-reply', id, text } satisfies MetricsReply),
      (e: unknown) => worker.send({ type: 'tailor:metrics-reply', id, error: e instanceof Error ? e.message : String(e) } satisfies MetricsReply),
    );
  });
}

/**
 * In a worker: makes `registry` the one this worker reports to the primary, and returns the
 * scrape function of `GET /metrics`, which asks the primary for the whole cluster's metrics
 * (a scraper reaches one worker at random; each worker's own figures would make its counters
 * jump back and forth). Rejects when the primary does not answer in time.
 */
export function clusterScrape(registry: Registry): () => Promise<{ contentType: string; text: string }> {
  new AggregatorRegistry(); // starts answering the primary's requests
  AggregatorRegistry.setRegistries([registry]);
  let next = 0;
  const waiting = new Map<number, { resolve: (text: string) => void; reject: (e: Error) => void }>();
  process.on('message', (m: unknown) => {
    const reply = m as Partial<MetricsReply>;
    if (reply.type !== 'tailor:metrics-reply' || typeof reply.id !== 'number') return;
    const w = waiting.get(reply.id);
    if (w === undefined) return;
    waiting.delete(reply.id);
    if (typeof reply.text === 'string') w.resolve(reply.text);
    else w.reject(new Error(`metrics of the cluster: ${reply.error ?? 'no answer'}`));
  });
  return () => new Promise((resolve, reject) => {
    const id = next++;
    const timer = setTimeout(() => { waiting.delete(id); reject(new Error(`metrics of the cluster: the primary did not answer in ${METRICS_TIMEOUT_MS} ms`)); }, METRICS_TIMEOUT_MS);
    waiting.set(id, {
      resolve: (text) => { clearTimeout(timer); resolve({ contentType: registry.contentType, text }); },
      reject: (e) => { clearTimeout(timer); reject(e); },
    });
    process.send?.({ type: 'tailor:metrics', id } satisfies MetricsRequest);
  });
}
