import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { quickstartIn, runOnce } from '../../kit/quickstart';

describe('row-count-consistency on the quickstart, a replica file cut to its header line', () => {
  let dir: string;
  let file: string;
  beforeEach(() => ({ dir, file } = quickstartIn('cut-replica-')));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  // A trial: DuckDB reads the time column of a file with no row as text, and the whole count failed with a warning
  // about the column while every row of the table was gone.
  it('reports the rows lost as critical, and the time column it cannot read beside them', async () => {
    const products = (side: string) => join(dir, `data/${side}/products.csv`);
    writeFileSync(products('target'), readFileSync(products('source'), 'utf8').split('\n', 1)[0] + '\n');
    const { report } = await runOnce(file);

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
