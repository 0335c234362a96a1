import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeWithTools, PROMTOOL } from '../harness/tools';

const ROOT = join(__dirname, '../..');
const RULES = join(ROOT, 'alerts/prometheus');

function promtool(args: string[], cwd: string) {
  const result = spawnSync('promtool', args, { cwd, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describeWithTools([PROMTOOL])('Prometheus files, checked by promtool', () => {
  it("the agent's alert rules are valid and fire on what they are about (promtool test rules)", () => {
    const check = promtool(['check', 'rules', 'guardrail.rules.yml'], RULES);
    const test = promtool(['test', 'rules', 'guardrail.rules.test.yml'], RULES);

    expect(check).toEqual({ status: 0, output: expect.stringContaining('SUCCESS: 7 rules found') });
    expect(test).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
  });

  it('the compose stack Prometheus config is valid with the rule file mounted beside it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'guardrail-prometheus-'));
    copyFileSync(join(ROOT, 'examples/deploy/compose/prometheus.yml'), join(dir, 'prometheus.yml'));
    copyFileSync(join(RULES, 'guardrail.rules.yml'), join(dir, 'guardrail.rules.yml'));

    const check = promtool(['check', 'config', 'prometheus.yml'], dir);

    expect(check).toEqual({ status: 0, output: expect.stringContaining('SUCCESS: 7 rules found') });
  });
});
