import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Scheduled jobs of `tailor serve` that report runs (`startScheduler`). */
export type JobKind = 'traits' | 'segments' | 'training';

/**
 * A value read when the metrics are scraped, not counted as it changes: a queue's length
 * (`gauge`), or a total a component keeps itself (`counter`, which only grows).
 */
export interface Sampled {
  kind: 'gauge' | 'counter';
  name: string;
  help: string;
  read: () => number;
}

/**
 * The process's operational metrics in Prometheus' text format: HTTP requests by route and
 * status with their latency, events ingested by outcome, identity merges and conflicts,
 * recommendations served, scheduled job runs, queue lengths, and — when `processMetrics` is
 * on — Node's own (CPU, memory, event-loop delay, garbage collection). Labels never carry a
 * workspace, key, person or path parameter: a route is its pattern (`/v1/profiles/:ref`),
 * so the number of series stays bounded and the metrics hold no personal data.
 *
 * @example
 * const metrics = createMetrics({ version: '0.1.0', database: 'sqlite', sampled: [], processMetrics: false });
 * metrics.request('POST', '/v1/batch', 200, 0.004);
 * await metrics.registry.metrics(); // '# HELP tailor_http_requests_total …'
 */
export function createMetrics(options: { version: string; database: string; sampled: readonly Sampled[]; processMetrics: boolean }) {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry });
  const info = new Gauge({ name: 'tailor_info', help: 'Version and database engine of this process (always 1)', labelNames: ['version', 'database'], registers: [registry], aggregator: 'max' });
  info.set({ version: options.version, database: options.database }, 1);
  const requests = new Counter({ name: 'tailor_http_requests_total', help: 'HTTP requests answered, by method, route pattern and status', labelNames: ['method', 'route', 'status'], registers: [registry] });
  const latency = new Histogram({
    name: 'tailor_http_request_duration_seconds', help: 'Time from a request\'s arrival to its answer, by method and route pattern', labelNames: ['method', 'route'], registers: [registry],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });
  const events = new Counter({ name: 'tailor_ingest_events_total', help: 'Events received by ingest, by source (api, import:events) and outcome (accepted, duplicate, rejected)', labelNames: ['source', 'outcome'], registers: [registry] });
  const merges = new Counter({ name: 'tailor_identity_merges_total', help: 'Profiles merged by identity resolution during ingest', registers: [registry] });
  const notApplied = new Counter({ name: 'tailor_order_changes_not_applied_total', help: 'Order events stored whose change to their order was not applied (a refund in another currency than the order\'s…)', registers: [registry] });
  const conflicts = new Counter({ name: 'tailor_identity_conflicts_total', help: 'Merges refused by identity resolution (two different user ids) and recorded as conflicts', registers: [registry] });
  const served = new Counter({ name: 'tailor_recommendations_total', help: 'Recommendation lists served, by whether they were personalized', labelNames: ['personalized'], registers: [registry] });
  const jobs = new Counter({ name: 'tailor_jobs_total', help: 'Scheduled job runs finished, by job (traits, segments, training) and outcome (ok, failed)', labelNames: ['job', 'outcome'], registers: [registry] });
  const jobTime = new Histogram({ name: 'tailor_job_duration_seconds', help: 'Duration of scheduled job runs, by job', labelNames: ['job'], registers: [registry], buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600] });
  for (const s of options.sampled) {
    if (s.kind === 'gauge') new Gauge({ name: s.name, help: s.help, registers: [registry], collect() { this.set(s.read()); } });
    else new Counter({ name: s.name, help: s.help, registers: [registry], collect() { this.reset(); this.inc(s.read()); } });
  }
  return {
    registry,
    /** One answered HTTP request. */
    request(method: string, route: string, status: number, seconds: number): void {
      requests.inc({ method, route, status: String(status) });
      latency.observe({ method, route }, seconds);
    },
    /** One ingest call's outcome. */
    ingested(source: string, r: { accepted: number; duplicates: number; rejected: number; merges: number; conflicts: number; ordersNotApplied?: number }): void {
      if (r.accepted > 0) events.inc({ source, outcome: 'accepted' }, r.accepted);
      if (r.duplicates > 0) events.inc({ source, outcome: 'duplicate' }, r.duplicates);
      if (r.rejected > 0) events.inc({ source, outcome: 'rejected' }, r.rejected);
      if (r.merges > 0) merges.inc(r.merges);
      if (r.conflicts > 0) conflicts.inc(r.conflicts);
      if ((r.ordersNotApplied ?? 0) > 0) notApplied.inc(r.ordersNotApplied);
    },
    /** One recommendation list served. */
    recommended(personalized: boolean): void {
      served.inc({ personalized: String(personalized) });
    },
    /** One scheduled job run that finished. */
    job(job: JobKind, outcome: 'ok' | 'failed', seconds: number): void {
      jobs.inc({ job, outcome });
      jobTime.observe({ job }, seconds);
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
