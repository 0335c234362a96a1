import { createConnection } from 'mysql2/promise';
import { Client } from 'pg';
import { freshMysqlDatabase, freshPgDatabase } from './databases';
import { findBinaries } from './server-process';

describe('test database harness', () => {
  it('gives each PostgreSQL caller its own empty database', async () => {
    const first = await freshPgDatabase('harness');
    const second = await freshPgDatabase('harness');

    const client = new Client({ connectionString: first });
    await client.connect();
    const { rows } = await client.query<{ db: string }>('SELECT current_database() AS db');
    await client.end();

    expect(first).not.toEqual(second);
    expect(rows[0]?.db).toEqual(new URL(first).pathname.slice(1));
  });

  it('gives each MariaDB caller its own empty database', async () => {
    const first = await freshMysqlDatabase('harness');
    const second = await freshMysqlDatabase('harness');

    const connection = await createConnection(first);
    const [rows] = await connection.query(
      'SELECT DATABASE() AS db, COUNT(*) AS tables FROM information_schema.tables WHERE table_schema = DATABASE()',
    );
    await connection.end();

    expect(first).not.toEqual(second);
    expect(rows).toEqual([{ db: new URL(first).pathname.slice(1), tables: 0 }]);
  });

  it('says what to install when a server binary is missing', () => {
    const hint =
      'MariaDB server binaries not found (mariadbd). Install them: apt-get install -y mariadb-server';

    const find = () => findBinaries(['guardrail-no-such-binary'], ['/nonexistent'], hint);

    expect(find).toThrow(hint);
  });
});
