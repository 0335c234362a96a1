import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { panelsOf, type DashboardJson } from './dashboard-json';

/**
 * The unit AWS publishes each CloudWatch metric the dashboards draw in, and Grafana's name for it.
 * @see https://docs.aws.amazon.com/redshift/latest/mgmt/metrics-listing.html (WLMQueueWaitTime: milliseconds;
 *   WLMQueryDuration: microseconds; Read/WriteLatency: seconds)
 * @see https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html (Duration: milliseconds)
 */
const UNITS: Record<string, string> = {
  CPUUtilization: 'percent',
  PercentageDiskSpaceUsed: 'percent',
  DatabaseConnections: 'short',
  HealthStatus: 'short',
  WLMQueueLength: 'short',
  WLMQueueWaitTime: 'ms',
  WLMRunningQueries: 'short',
  ReadLatency: 's',
  WriteLatency: 's',
  Duration: 'ms',
  Errors: 'short',
  Throttles: 'short',
};

// A review: the WLM queue wait panel said µs, so a 30 s wait read "30 ms".
it('draws each CloudWatch metric in the unit AWS publishes it in', () => {
  const drawn: [string, string, unknown][] = [];
  for (const file of ['guardrail-redshift-health.json', 'guardrail-lambda-health.json']) {
    const dashboard = JSON.parse(
      readFileSync(join(__dirname, '../../dashboards', file), 'utf8'),
    ) as DashboardJson;
    for (const panel of panelsOf(dashboard)) {
      const unit = (panel.fieldConfig?.defaults as { unit?: string } | undefined)?.unit;
      for (const target of panel.targets ?? [])
        if (typeof target.metricName === 'string') drawn.push([file, target.metricName, unit]);
    }
  }

  expect(drawn.length).toBeGreaterThanOrEqual(Object.keys(UNITS).length);
  for (const [file, metric, unit] of drawn)
    expect([file, metric, unit]).toEqual([file, metric, UNITS[metric]]);
});
