import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

const DIR = join(__dirname, '../../examples/deploy/compose');
const ROOT = join(__dirname, '../..');

interface Service {
  image?: string;
  build?: { context: string };
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  read_only?: boolean;
  tmpfs?: string[];
  ports?: string[];
}
const compose = parse(readFileSync(join(DIR, 'docker-compose.yaml'), 'utf8')) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const { services } = compose;
/** [source, target] of each mount; a source starting with . is a file or folder beside the compose file. */
const mounts = (s: Service) => (s.volumes ?? []).map((v) => v.split(':') as [string, string, string?]);

describe('examples/deploy/compose', () => {
  it('runs the agent, PostgreSQL, Prometheus and Grafana, each with a health check', () => {
    expect(Object.keys(services).sort()).toEqual(['grafana', 'guardrail', 'postgres', 'prometheus']);
    for (const [name, service] of Object.entries(services)) {
      expect([name, service.healthcheck?.test[0]]).toEqual([name, 'CMD']);
    }
  });

  it('every named volume is declared, every mounted file exists in the repo', () => {
    const sources = Object.values(services).flatMap((s) => mounts(s).map(([source]) => source));
    const named = sources.filter((s) => !s.startsWith('.'));
    const files = sources.filter((s) => s.startsWith('.'));

    expect(named.sort()).toEqual(Object.keys(compose.volumes).sort());
    expect(files.filter((f) => !existsSync(resolve(DIR, f)))).toEqual([]);
  });

  it('the agent serves with PostgreSQL state once the database is healthy, read-only with /tmp writable', () => {
    const agent = services.guardrail!;
    const pg = services.postgres!.environment!;

    expect(agent.command).toEqual(['serve']);
    expect(resolve(DIR, agent.build!.context)).toBe(ROOT);
    expect(agent.environment!.GUARDRAIL_STATE_URL).toBe(
      `postgres://${pg.POSTGRES_USER}:${pg.POSTGRES_PASSWORD}@postgres:5432/${pg.POSTGRES_DB}`,
    );
    expect(agent.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect([agent.read_only, agent.tmpfs]).toEqual([true, ['/tmp']]);
  });

  it('Prometheus scrapes the agent service and loads the shipped rule file beside its config', () => {
    const prometheus = parse(readFileSync(join(DIR, 'prometheus.yml'), 'utf8'));
    const targets = mounts(services.prometheus!).map(([source, target]) => [resolve(DIR, source), target]);

    expect(prometheus.scrape_configs[0]).toEqual({
      job_name: 'guardrail',
      static_configs: [{ targets: ['guardrail:9464'] }],
    });
    expect(targets).toEqual(
      expect.arrayContaining([
        [join(DIR, 'prometheus.yml'), '/etc/prometheus/prometheus.yml'],
        [join(ROOT, 'alerts/prometheus/guardrail.rules.yml'), `/etc/prometheus/${prometheus.rule_files[0]}`],
      ]),
    );
  });

  it('Grafana gets the dashboards, their provisioning file and a Prometheus data source on the Prometheus service', () => {
    const grafana = mounts(services.grafana!).map(([source, target]) => [resolve(DIR, source), target]);
    const provisioning = parse(readFileSync(join(ROOT, 'dashboards/provisioning/guardrail.yaml'), 'utf8'));
    const datasources = parse(readFileSync(join(DIR, 'grafana/datasources.yaml'), 'utf8'));

    expect(grafana).toEqual(
      expect.arrayContaining([
        [join(ROOT, 'dashboards'), provisioning.providers[0].options.path],
        [
          join(ROOT, 'dashboards/provisioning/guardrail.yaml'),
          '/etc/grafana/provisioning/dashboards/guardrail.yaml',
        ],
        [join(DIR, 'grafana/datasources.yaml'), '/etc/grafana/provisioning/datasources/guardrail.yaml'],
      ]),
    );
    expect(datasources.datasources).toEqual([
      expect.objectContaining({ type: 'prometheus', url: 'http://prometheus:9090', isDefault: true }),
    ]);
  });
});
