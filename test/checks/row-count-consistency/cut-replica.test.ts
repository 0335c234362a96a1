import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../../src/config/load';
import { Agent } from '../../../src/engine/agent';

const QUICKSTART = join(__dirname, '../../../examples/quickstart');

describe('row-count-consistency on the quickstart, a replica file cut to its header line', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cut-replica-'));
    cpSync(QUICKSTART, dir, { recursive: true, filter: (src) => !src.includes('.guardrail') });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  // A trial: DuckDB reads the time column of a file with no row as text, and the whole count failed with a warning
  // about the column while every row of the table was gone.
  it('reports the rows lost as critical, and the time column it cannot read beside them', async () => {
    const products = (side: string) => join(dir, `data/${side}/products.csv`);
    writeFileSync(products('target'), readFileSync(products('source'), 'utf8').split('\n', 1)[0] + '\n');
    const log = pino({ level: 'silent' });
    const agent = new Agent(loadConfig(join(dir, 'guardrail.yaml'), {}), { log, out: () => undefined });
    const report = await agent.runOnce();
    await agent.close();

    const findings = report.checks[0]?.findings.filter((f) => f.key.startsWith('shop.products'));
    expect(findings?.map((f) => [f.key, f.severity, f.title])).toEqual([
      [
        'shop.products:target-error',
        'warning',
        'shop.products: updated_at unreadable on target (shop_raw.products): read as text, not as a timestamp; ' +
          'rows compared, lag not checked',
      ],
      [
        'shop.products',
        'critical',
        'shop.products: target has 50 fewer rows than source (source 50, target 0, 100.00%; whole table)',
      ],
    ]);
  });
});
