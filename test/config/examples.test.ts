import { join } from 'node:path';
import { loadConfig } from '../../src/config/load';
import { PRODUCTION_SECRETS } from './config-files';

const EXAMPLES = join(__dirname, '../../examples');

describe('example configs', () => {
  it('the quickstart validates with no environment at all', () => {
    const config = loadConfig(join(EXAMPLES, 'quickstart/guardrail.yaml'), {});

    expect(config.checks.map((c) => c.id)).toEqual(['shop-consistency']);
    expect(config.warnings).toEqual([]);
  });

  it('the production example validates, with every check kind and the included team file', () => {
    const config = loadConfig(join(EXAMPLES, 'production/guardrail.yaml'), PRODUCTION_SECRETS);

    expect(config.checks.map((c) => `${c.id}:${c.kind}`).sort()).toEqual([
      'bq-cost:bigquery-expensive-queries',
      'dw-locks:lock-waits',
      'dw-long-queries:long-running-queries',
      'game1-consistency:row-count-consistency',
      'idle-ebs:idle-ebs-volumes',
      'idle-eip:idle-elastic-ips',
      'lambda:lambda-errors',
      'payments-consistency:row-count-consistency',
      's3-waste:s3-storage-waste',
    ]);
    expect(config.channels.map((c) => c.name)).toEqual(['data-eng', 'finops', 'console']);
  });

  it('names the missing secret when the production example runs without its environment', () => {
    expect(() => loadConfig(join(EXAMPLES, 'production/guardrail.yaml'), {})).toThrow(
      /environment variable GAME1_MYSQL_URL is not set/,
    );
  });
});
