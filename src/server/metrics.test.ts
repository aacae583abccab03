import { describe, expect, it } from 'vitest';
import { createMetrics } from './metrics.js';

describe('createMetrics', () => {
  it('counts requests, ingest outcomes and jobs in the Prometheus text format, with sampled values read at scrape time', async () => {
    let queued = 3;
    let flushes = 7;
    const metrics = createMetrics({
      version: '9.9.9', database: 'sqlite', processMetrics: false,
      sampled: [
        { kind: 'gauge', name: 'test_queue', help: 'a queue', read: () => queued },
        { kind: 'counter', name: 'test_flushes_total', help: 'flushes', read: () => flushes },
      ],
    });
    metrics.request('POST', '/v1/batch', 200, 0.004);
    metrics.request('POST', '/v1/batch', 200, 0.02);
    metrics.request('GET', 'unmatched', 404, 0.0001);
    metrics.ingested('api', { accepted: 98, duplicates: 1, rejected: 1, merges: 2, conflicts: 0 });
    metrics.ingested('api', { accepted: 2, duplicates: 0, rejected: 0, merges: 0, conflicts: 1 });
    metrics.recommended(false);
    metrics.job('segments', 'ok', 1.5);
    const text = await metrics.registry.metrics();
    expect(metrics.registry.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(text).toContain('tailor_info{version="9.9.9",database="sqlite"} 1');
    expect(text).toContain('tailor_http_requests_total{method="POST",route="/v1/batch",status="200"} 2');
    expect(text).toContain('tailor_http_requests_total{method="GET",route="unmatched",status="404"} 1');
    // Histogram buckets are cumulative: 4 ms falls in le=0.005, 20 ms in le=0.025.
    expect(text).toContain('tailor_http_request_duration_seconds_bucket{le="0.005",method="POST",route="/v1/batch"} 1');
    expect(text).toContain('tailor_http_request_duration_seconds_bucket{le="0.025",method="POST",route="/v1/batch"} 2');
    expect(text).toContain('tailor_http_request_duration_seconds_count{method="POST",route="/v1/batch"} 2');
    expect(text).toContain('tailor_ingest_events_total{source="api",outcome="accepted"} 100');
    expect(text).toContain('tailor_ingest_events_total{source="api",outcome="duplicate"} 1');
    expect(text).toContain('tailor_ingest_events_total{source="api",outcome="rejected"} 1');
    expect(text).toContain('tailor_identity_merges_total 2');
    expect(text).toContain('tailor_identity_conflicts_total 1');
    expect(text).toContain('tailor_recommendations_total{personalized="false"} 1');
    expect(text).toContain('tailor_jobs_total{job="segments",outcome="ok"} 1');
    expect(text).toContain('tailor_job_duration_seconds_sum{job="segments"} 1.5');
    expect(text).toContain('# TYPE test_queue gauge\ntest_queue 3');
    expect(text).toContain('# TYPE test_flushes_total counter\ntest_flushes_total 7');
    expect(text).not.toContain('process_cpu');
    queued = 0;
    flushes = 9;
    const later = await metrics.registry.metrics();
    expect(later).toContain('test_queue 0');
    expect(later).toContain('test_flushes_total 9');
  });

  it('adds the process metrics when asked', async () => {
    const metrics = createMetrics({ version: '1', database: 'postgres', sampled: [], processMetrics: true });
    const text = await metrics.registry.metrics();
    expect(text).toContain('process_cpu_seconds_total');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
  });
});
