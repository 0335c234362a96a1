import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTableFiles, parseTableFile } from '../../../checks/row-count-consistency/table-files';

describe('table mapping files', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'guardrail-tables-'));
    await mkdir(join(dir, 'tables'));
    await writeFile(join(dir, 'tables/game1.yaml'), '- { source: game1.users, target: raw.users }\n');
    await writeFile(
      join(dir, 'tables/game2.yaml'),
      'tables:\n  - { source: game2.users, target: raw.users2 }\n',
    );
    await writeFile(join(dir, 'tables/notes.txt'), 'not yaml');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('loads every file a glob matches, as a list or under tables:', async () => {
    expect(await loadTableFiles(dir, 'tables/*.yaml')).toEqual([
      { source: 'game1.users', target: 'raw.users' },
      { source: 'game2.users', target: 'raw.users2' },
    ]);
  });

  it('fails when a glob matches nothing', async () => {
    await expect(loadTableFiles(dir, ['tables/*.yml'])).rejects.toThrow('no file matches ["tables/*.yml"]');
  });

  it.each([
    [
      'a bad table name',
      '- { source: game1.users, target: raw.users }\n- source: users\n  target: raw.users\n',
      /^tables\/x\.yaml:2:11 \[1\]\.source: table name must be schema\.table/,
    ],
    [
      'an unknown key',
      'tables:\n  - { source: a.b, target: c.d, colour: red }\n',
      /^tables\/x\.yaml:2:5 tables\[0\]: Unrecognized key: "colour"/,
    ],
    ['broken YAML', '- { source: a.b, target: c.d\n', /^tables\/x\.yaml:\d+:\d+ /],
  ])('names the file, line and key for %s', (_what, text, message) => {
    expect(() => parseTableFile('tables/x.yaml', text)).toThrow(message);
  });
});
