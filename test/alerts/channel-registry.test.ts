import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CHANNELS } from '../../alerts/channels/registry';

const DIR = join(__dirname, '../../alerts/channels');

describe('channel registry', () => {
  it('lists exactly the channel folders, sorted by type', () => {
    const folders = readdirSync(DIR, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();

    expect(CHANNELS.map((c) => c.type)).toEqual(folders);
  });

  it.each(CHANNELS.filter((c) => c.type !== 'console').map((c) => [c.type]))(
    'documents %s in a readme',
    (type) => {
      expect(existsSync(join(DIR, type, 'readme.md'))).toBe(true);
    },
  );
});
