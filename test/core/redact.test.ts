import { errorMessage, redact, scrubSql, sqlExcerpt } from '../../src/core/redact';
import { KEY_FUNCTION_NAMES } from '../../src/core/sql-scrub';

describe('redact', () => {
  it.each([
    [
      'webhook query string',
      'POST https://chat.googleapis.com/v1/spaces/AAA/messages?key=KEY&token=TOK failed',
      'POST https://chat.googleapis.com/v1/spaces/AAA/messages?*** failed',
    ],
    [
      'user:password',
      'connect postgres://guard:s3cret@db.internal:5432/state refused',
      'connect postgres://guard:***@db.internal:5432/state refused',
    ],
    ['lone token', 'GET https://tok3n@example.com/hook', 'GET https://***@example.com/hook'],
    [
      "an unencoded '@' in the password",
      'postgres://guard:p@ssw0rd-tail@host/db',
      'postgres://guard:***@host/db',
    ],
    [
      "several '@' in the password, and a query",
      'postgresql://guard:a@b@c@db:5432/state?sslmode=require&password=x',
      'postgresql://guard:***@db:5432/state?***',
    ],
    ["an '@' in a lone token", 'https://t@k@n@example.com/x', 'https://***@example.com/x'],
    [
      "an '@' in the path, not the authority",
      'https://example.com/users/@me?x=1',
      'https://example.com/users/@me?***',
    ],
    [
      'several URLs in one text',
      "primary postgres://a:pw1@h1/db, replica 'postgres://b:p@w2@h2/db' and hook https://chat.googleapis.com/v1/x?key=K",
      "primary postgres://a:***@h1/db, replica 'postgres://b:***@h2/db' and hook https://chat.googleapis.com/v1/x?***",
    ],
    [
      'text without URLs',
      'mail ops@example.com, login a:b@c, 50% done?',
      'mail ops@example.com, login a:b@c, 50% done?',
    ],
  ])('hides the secret of %s', (_case, text, expected) => {
    expect(redact(text)).toBe(expected);
  });

  it('keeps the port of a URL that ends the text (only SQL cut short is read as user:password)', () => {
    expect(redact('endpoint http://127.0.0.1:35017')).toBe('endpoint http://127.0.0.1:35017');
    expect(scrubSql("SELECT * FROM dblink('postgresql://u:pw")).toBe(
      "SELECT * FROM dblink('postgresql://u:***",
    );
  });

  it('hides listed secrets of at least 3 characters', () => {
    expect(redact('password hunter22 for ab', ['hunter22', 'ab'])).toBe('password *** for ab');
  });

  it('redacts the message of any thrown value', () => {
    expect(errorMessage(new Error('no route to postgres://u:p@ss@h/db'))).toBe(
      'no route to postgres://u:***@h/db',
    );
    expect(errorMessage('https://x.example/hook?token=T')).toBe('https://x.example/hook?***');
  });
});

describe('scrubSql', () => {
  it.each([
    ['ALTER USER ... PASSWORD', "ALTER USER bob PASSWORD 'hunter2'", "ALTER USER bob PASSWORD '***'"],
    [
      'ALTER ROLE ... WITH ENCRYPTED PASSWORD, VALID UNTIL kept',
      "ALTER ROLE bob WITH ENCRYPTED PASSWORD 'md5abc' VALID UNTIL '2027-01-01'",
      "ALTER ROLE bob WITH ENCRYPTED PASSWORD '***' VALID UNTIL '2027-01-01'",
    ],
    [
      'CREATE USER ... IDENTIFIED BY',
      "CREATE USER 'bob'@'%' IDENTIFIED BY 'hunter2'",
      "CREATE USER 'bob'@'%' IDENTIFIED BY '***'",
    ],
    [
      'IDENTIFIED WITH a plugin BY',
      "ALTER USER bob IDENTIFIED WITH mysql_native_password BY 'it\\'s2'",
      "ALTER USER bob IDENTIFIED WITH mysql_native_password BY '***'",
    ],
    [
      'an unquoted IDENTIFIED BY',
      'CREATE USER bob IDENTIFIED BY hunter2;',
      'CREATE USER bob IDENTIFIED BY ***;',
    ],
    [
      "SET PASSWORD FOR ... = '...'",
      "SET PASSWORD FOR 'bob'@'localhost' = 'hunter2'",
      "SET PASSWORD FOR 'bob'@'localhost' = '***'",
    ],
    [
      'CREATE SECRET with KEY_ID and SECRET',
      "CREATE SECRET s3 (TYPE S3, KEY_ID 'AKIAEXAMPLE', SECRET 'wJalr/XUtnFEMI', REGION 'us-east-1')",
      "CREATE SECRET s3 (TYPE S3, KEY_ID '***', SECRET '***', REGION 'us-east-1')",
    ],
    [
      'Redshift COPY ... credentials',
      "COPY t FROM 's3://b/k' credentials 'aws_access_key_id=AKIA1;aws_secret_access_key=abc/def'",
      "COPY t FROM 's3://b/k' credentials '***'",
    ],
    [
      'Redshift ACCESS_KEY_ID ... SECRET_ACCESS_KEY ... SESSION_TOKEN',
      "UNLOAD ('select 1') TO 's3://b/p' ACCESS_KEY_ID 'AKIA1' SECRET_ACCESS_KEY 'abc' SESSION_TOKEN 'tok'",
      "UNLOAD ('select 1') TO 's3://b/p' ACCESS_KEY_ID '***' SECRET_ACCESS_KEY '***' SESSION_TOKEN '***'",
    ],
    [
      'Snowflake CREDENTIALS = (AWS_KEY_ID = ..., AWS_SECRET_KEY = ...)',
      "CREATE STAGE s URL='s3://b' CREDENTIALS=(AWS_KEY_ID='AKIA1' AWS_SECRET_KEY='abc')",
      "CREATE STAGE s URL='s3://b' CREDENTIALS=(AWS_KEY_ID='***' AWS_SECRET_KEY='***')",
    ],
    [
      'password= in a connection string',
      "SELECT * FROM dblink('host=db user=bob password=hunter2 dbname=app', 'select 1')",
      "SELECT * FROM dblink('host=db user=bob password=*** dbname=app', 'select 1')",
    ],
    [
      'the password of a URL',
      "SELECT * FROM dblink('postgresql://bob:hunter2@db/app', 'select 1')",
      "SELECT * FROM dblink('postgresql://bob:***@db/app', 'select 1')",
    ],
    ['a literal cut short by truncation', "ALTER USER bob PASSWORD 'hunt…", "ALTER USER bob PASSWORD '***'"],
    [
      'ordinary SQL, kept as is',
      "SELECT user_id, token_count FROM sessions WHERE name = 'password reset' AND secret_id IN (1, 2)",
      "SELECT user_id, token_count FROM sessions WHERE name = 'password reset' AND secret_id IN (1, 2)",
    ],
  ])('hides the secret of %s', (_case, sql, expected) => {
    expect(scrubSql(sql)).toBe(expected);
  });
});

describe('scrubSql on SQL written to slip past it (a review)', () => {
  it.each([
    [
      'a key word inside an earlier literal',
      "INSERT INTO audit VALUES ('rotate password'); ALTER ROLE app PASSWORD 'Tr0ub4dor';",
      "INSERT INTO audit VALUES ('rotate password'); ALTER ROLE app PASSWORD '***';",
    ],
    [
      'a key word inside a comment on the role',
      "COMMENT ON ROLE app IS 'service token'; ALTER ROLE app PASSWORD 'Tr0ub4dor';",
      "COMMENT ON ROLE app IS 'service token'; ALTER ROLE app PASSWORD '***';",
    ],
    ['dollar quotes', 'ALTER ROLE a PASSWORD $$Tr0ub4dor$$', 'ALTER ROLE a PASSWORD $$***$$'],
    ['tagged dollar quotes', 'ALTER ROLE a PASSWORD $pw$Tr0ub4dor$pw$', 'ALTER ROLE a PASSWORD $pw$***$pw$'],
    ["E'...' with an escaped quote", "ALTER ROLE a PASSWORD E'Tr0ub\\'4dor'", "ALTER ROLE a PASSWORD E'***'"],
    ["U&'...'", "ALTER ROLE a PASSWORD U&'Tr0ub4dor'", "ALTER ROLE a PASSWORD U&'***'"],
    [
      'a block comment before the literal',
      "ALTER ROLE a PASSWORD /* c */ 'Tr0ub4dor'",
      "ALTER ROLE a PASSWORD /* c */ '***'",
    ],
    [
      'a line comment before the literal',
      "ALTER ROLE a PASSWORD -- c\n 'Tr0ub4dor'",
      "ALTER ROLE a PASSWORD -- c\n '***'",
    ],
    [
      'pgcrypto',
      "SELECT pgp_sym_encrypt(card, 'k3y-Tr0ub4dor') FROM t",
      "SELECT pgp_sym_encrypt(card, '***') FROM t",
    ],
    ['MySQL AES_ENCRYPT', "SELECT AES_ENCRYPT(x, 'k3y-Tr0ub4dor')", "SELECT AES_ENCRYPT(x, '***')"],
    [
      "BigQuery's raw key bytes",
      "SELECT KEYS.ADD_KEY_FROM_RAW_BYTES(ks, 'AES_CBC_PKCS', b'Tr0ub4dor0123456')",
      "SELECT KEYS.ADD_KEY_FROM_RAW_BYTES(ks, '***', b'***')",
    ],
  ])('hides the secret with %s', (_case, sql, expected) => {
    expect(scrubSql(sql)).toBe(expected);
  });

  // A second review, trying every form a real session could run (marker Zq9Secret).
  it.each([
    [
      'a PL/pgSQL body',
      "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='app') THEN CREATE ROLE app LOGIN PASSWORD 'Zq9Secret'; END IF; END $$;",
    ],
    ['a PREPAREd statement', "PREPARE s FROM 'ALTER USER bob IDENTIFIED BY ''Zq9Secret'''"],
    ["MySQL's REPLACE of the current password", "ALTER USER bob IDENTIFIED BY 'newpw' REPLACE 'Zq9Secret'"],
    ['pgcrypto crypt()', "UPDATE users SET password = crypt('Zq9Secret', gen_salt('bf')) WHERE id = 1"],
    ['aws_s3 credentials', "SELECT aws_commons.create_aws_credentials('AKIAEXAMPLE', 'Zq9Secret', '')"],
    ['SET ... TO', "ALTER DATABASE postgres SET app.jwt_secret TO 'Zq9Secret'"],
    ['a quoted key', `UPDATE "users" SET "password" = 'Zq9Secret'`],
    [
      'a quoted option name',
      `CREATE USER MAPPING FOR bob SERVER s OPTIONS (user 'bob', "password" 'Zq9Secret')`,
    ],
    [
      'an escaped quote before the key',
      "UPDATE users SET name = replace(name, '''', ''), password = 'Zq9Secret' WHERE id = 1",
    ],
    [
      'a COPY quote character',
      "COPY t FROM 's3://b/k' CSV QUOTE AS '''' ACCESS_KEY_ID 'AKIAEX' SECRET_ACCESS_KEY 'Zq9Secret'",
    ],
    ['a spaced key = value', "SELECT dblink_connect('c', 'host=h password = Zq9Secret dbname=d')"],
    ['a quoted key=value', "SELECT dblink_connect('c','host=h password=''Zq9 Secret''')"],
    [
      'an Azure account key',
      "CREATE SECRET az (TYPE AZURE, CONNECTION_STRING 'AccountName=a;AccountKey=Zq9Secret;')",
    ],
    ['a URL password cut before its @', "SELECT * FROM dblink('postgresql://u:Zq9Secret"],
    ['WHERE pwd =', "SELECT * FROM users WHERE pwd = 'Zq9Secret'"],
    ['token <>', "SELECT * FROM sessions WHERE token <> 'Zq9Secret'"],
    ['password IN (...)', "SELECT * FROM users WHERE password IN ('Zq9Secret', 'other')"],
    ['SET @password :=', "SET @password := 'Zq9Secret'"],
    ['set_config', "SELECT set_config('myapp.api_key', 'Zq9Secret', false)"],
    ['JSON in a literal', `INSERT INTO cfg VALUES ('{"password":"Zq9Secret"}')`],
    ['a bearer header', "SELECT http_header('Authorization', 'Bearer Zq9Secret')"],
    ['a MySQL # comment with an apostrophe', "# it's done\nALTER USER bob IDENTIFIED BY 'Zq9Secret'"],
    ['a nested block comment', "/* a /* b */ it's */ ALTER ROLE app PASSWORD 'Zq9Secret'"],
    ['a charset introducer', "ALTER USER bob IDENTIFIED BY _utf8mb4'Zq9Secret'"],
    ['adjacent literals', "ALTER USER bob IDENTIFIED BY 'Zq9' 'Secret'"],
    ['an INSERT by column position', "INSERT INTO users (name, password) VALUES ('bob', 'Zq9Secret')"],
    [
      'an INSERT of several rows, a key function and quoted columns',
      `INSERT INTO u ("name", "api_token") VALUES ('a', 'Zq9'), ('b', crypt('Secret', gen_salt('bf')))`,
    ],
    [
      "MERGE's INSERT",
      "MERGE INTO t USING s ON t.id = s.id WHEN NOT MATCHED THEN INSERT (id, secret) VALUES (1, 'Zq9Secret')",
    ],
    ['an INSERT … SELECT by column position', "INSERT INTO users (name, password) SELECT 'bob', 'Zq9Secret'"],
    [
      'an INSERT … SELECT whose first branch has a FROM before UNION',
      "INSERT INTO users (name, password) SELECT 'bob', 'pw1' FROM dual UNION ALL SELECT 'al', 'Zq9Secret' FROM dual",
    ],
    [
      'an INSERT of a SELECT in parentheses',
      "INSERT INTO users (name, password) (SELECT 'bob', 'Zq9Secret')",
    ],
    ['an INSERT into an aliased table', "INSERT INTO users AS u (name, password) SELECT 'bob', 'Zq9Secret'"],
    [
      'an INSERT … WITH … SELECT',
      "INSERT INTO users (name, password) WITH x AS (SELECT 1) SELECT 'bob', 'Zq9Secret' FROM x",
    ],
    [
      'a UNION ALL of a SELECT in parentheses',
      "INSERT INTO users (name, password) SELECT 'bob', 'pw1' UNION ALL (SELECT 'al', 'Zq9Secret')",
    ],
    [
      'a UNION ALL VALUES',
      "INSERT INTO users (name, password) SELECT 'bob', 'pw1' UNION ALL VALUES ('al', 'Zq9Secret')",
    ],
    [
      'an INSERT … SELECT of several rows into a qualified table',
      `INSERT INTO app."users" (name, api_token) SELECT DISTINCT 'a', 'Zq9' UNION ALL SELECT 'b', 'Secret' FROM dual`,
    ],
  ])('hides the secret of %s', (_case, sql) => {
    const out = scrubSql(sql);
    expect(out).not.toMatch(/Zq9|Secret/);
    expect(out).toContain('***');
  });

  it("hides only the values in a credential column's place, and reads each INSERT on its own", () => {
    expect(
      scrubSql(
        "INSERT INTO users (u.name, u.pwd, age) VALUES ('bob', 'pw1', 3), ('al', 12345, 4) ON DUPLICATE KEY UPDATE age = 1; " +
          "INSERT INTO logs (msg, at) VALUES ('password changed', now())",
      ),
    ).toBe(
      "INSERT INTO users (u.name, u.pwd, age) VALUES ('bob', '***', 3), ('al', ***, 4) ON DUPLICATE KEY UPDATE age = 1; " +
        "INSERT INTO logs (msg, at) VALUES ('password changed', now())",
    );
  });

  it("hides only the select list's items in a credential column's place, not their aliases nor the rest", () => {
    const sql =
      "INSERT INTO users (name, pwd, age) SELECT 'bob', 'pw1' AS pwd, 3 FROM staging WHERE note = 'keep' " +
      "ON CONFLICT (name) DO UPDATE SET age = 4; WITH x AS (SELECT id FROM secrets) SELECT 'shown', 2 FROM x";
    expect(scrubSql(sql)).toBe(sql.replace("'pw1'", "'***'"));
    const locked =
      "INSERT INTO users (name, pwd) SELECT name, 'pw1' FROM staging FOR UPDATE; INSERT INTO t VALUES ('password', 'x')";
    expect(scrubSql(locked)).toBe(locked.replace("'pw1'", "'***'"));
  });

  // PostgreSQL reads 'x\' as a whole literal; MySQL reads \' as a quote inside it. Read either way, nothing shows.
  it('hides what either reading of a backslash finds secret', () => {
    const postgres = "ALTER ROLE a PASSWORD 'x\\'; ALTER ROLE b PASSWORD 'Tr0ub4dor';";
    const mysql = "ALTER USER bob PASSWORD 'it\\'s-Tr0ub4dor' VALID UNTIL 'never'";

    expect(scrubSql(postgres)).not.toMatch(/Tr0ub|4dor/);
    expect(scrubSql(mysql)).not.toMatch(/Tr0ub|4dor|s-/);
    expect(scrubSql(postgres)).toMatch(/^ALTER ROLE a PASSWORD '\*\*\*/);
  });
});

describe('scrubSql reads every statement that names what it looks for (a review)', () => {
  it.each([
    [
      "Aurora's aws_s3.table_import_from_s3 with an access key",
      "SELECT aws_s3.table_import_from_s3('t','','(format csv)','bucket','k.csv','us-east-1','AKIAIOSFODNN7EXAMPLE','wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY','')",
    ],
    [
      'aws_s3.query_export_to_s3',
      "SELECT * FROM aws_s3.query_export_to_s3('select 1', 'b', 'k', 'us-east-1', 'AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI/K7MDENG')",
    ],
    ['set_config', "SELECT set_config('app.key', 'wJalrXUtnFEMI/K7MDENG', false)"],
    ['md5', "SELECT md5('wJalrXUtnFEMI/K7MDENG')"],
    ['sha256', "SELECT sha256('wJalrXUtnFEMI/K7MDENG'::bytea)"],
    ['decode', "SELECT decode('wJalrXUtnFEMI/K7MDENG', 'base64')"],
    ['apikey=', "SELECT * FROM dblink('host=db apikey=wJalrXUtnFEMI/K7MDENG', 'select 1')"],
    ['SharedAccessSignature=', "SELECT 'SharedAccessSignature=wJalrXUtnFEMI/K7MDENG;BlobEndpoint=x'"],
    [
      'a key and its value as arguments',
      "SELECT json_build_object('user', 'bob', 'password', 'wJalrXUtnFEMI')",
    ],
    ['LIKE', "SELECT 1 FROM users WHERE password LIKE 'wJalr%'"],
    ['NOT ILIKE', "SELECT 1 FROM users WHERE password NOT ILIKE 'wJalr%'"],
    ['BETWEEN ... AND', "SELECT 1 FROM users WHERE password BETWEEN 'wJalrA' AND 'wJalrB'"],
    ['the value before the key', "SELECT 1 FROM users WHERE 'wJalrXUtnFEMI' = password"],
    ['the value before the key, with <>', "SELECT 1 FROM users WHERE 'wJalrXUtnFEMI' <> password"],
    ['a row assignment', "UPDATE users SET (name, password) = ('bob', 'wJalrXUtnFEMI') WHERE id = 1"],
    ['a ROW assignment', "UPDATE users SET (name, password) = ROW ('bob', 'wJalrXUtnFEMI')"],
    ['a line comment', 'SELECT 1 -- password: wJalrXUtnFEMI\nFROM t'],
    ['a block comment', 'SELECT /* api_key wJalrXUtnFEMI */ 1'],
    ['a MySQL # comment', 'SELECT 1 # token=wJalrXUtnFEMI\nFROM t'],
  ])('hides the secret of %s', (_case, sql) => {
    expect(scrubSql(sql)).not.toMatch(/AKIA|wJalr/);
    expect(scrubSql(sql)).toContain('***');
  });

  it('keeps what it hides around the value, and ordinary SQL of the same shapes', () => {
    expect(scrubSql("SELECT 1 FROM users WHERE password LIKE 'x%' AND name LIKE 'bo%'")).toBe(
      "SELECT 1 FROM users WHERE password LIKE '***' AND name LIKE 'bo%'",
    );
    expect(scrubSql("UPDATE users SET (name, password) = ('bob', 'pw1')")).toBe(
      "UPDATE users SET (name, password) = ('bob', '***')",
    );
    expect(scrubSql('SELECT 1 -- password: pw1\nFROM t')).toBe('SELECT 1 --***\nFROM t');
    const plain = "SELECT name FROM users WHERE 'bob' = name AND kind BETWEEN 'a' AND 'b' -- the secret list";
    expect(scrubSql(plain)).toBe(plain);
    // A second read: `#` is PostgreSQL's JSON operator and alert text's number sign; a comment only naming a key
    // keeps its words.
    for (const kept of [
      "SELECT data #>> '{auth,user}' AS u, token_expires_at FROM sessions WHERE id = 5",
      'check failed: table #3 of 5 (orders): lost 7 rows; see token docs',
      '/* nightly job: refresh tokens */ SELECT 1',
      '-- see token Documentation\nSELECT 1',
      "SELECT replace(msg, 'token', 'TKN')",
    ])
      expect(scrubSql(kept)).toBe(kept);
    expect(scrubSql("SELECT name FROM users WHERE 'bob' = name AND kind LIKE 'a%'")).toBe(
      "SELECT name FROM users WHERE 'bob' = name AND kind LIKE 'a%'",
    );
  });

  it("hides the literal arguments of each key function it lists, whatever its name's case", () => {
    const names = KEY_FUNCTION_NAMES.split('|').map((n) => n.replace(/\(_bytea\)\?$/, '_bytea'));
    expect(names.length).toBeGreaterThan(30);
    for (const name of names) {
      for (const shown of [name, name.toUpperCase()]) {
        expect([shown, scrubSql(`SELECT ${shown}('wJalrXUtnFEMI/K7MDENG')`)]).toEqual([
          shown,
          `SELECT ${shown}('***')`,
        ]);
      }
    }
  });
});

describe('sqlExcerpt', () => {
  it('scrubs the whole statement before cutting it, so a secret past the cut never shows in part', () => {
    const sql = `UNLOAD ('select 1') TO 's3://b/' IAM_ROLE 'arn:aws:iam::1:role/r' MASTER_SYMMETRIC_KEY 'EXAMPLEMASTERKEYbase64=='`;

    expect(sqlExcerpt(sql, 300)).toBe(
      "UNLOAD ('select 1') TO 's3://b/' IAM_ROLE 'arn:aws:iam::1:role/r' MASTER_SYMMETRIC_KEY '***'",
    );
    expect(sqlExcerpt("ALTER USER bob PASSWORD 'hunter2'", 27)).toBe("ALTER USER bob PASSWORD '*'…");
  });

  it('closes a literal or quoted name the cut leaves open, and leaves closed ones alone', () => {
    expect(sqlExcerpt("SELECT 'it''s', \"a b\" FROM t WHERE x = 'abcdef'", 44)).toBe(
      "SELECT 'it''s', \"a b\" FROM t WHERE x = 'abc'…",
    );
    expect(sqlExcerpt("SELECT 'it''s' FROM t", 13)).toBe("SELECT 'it'''…"); // inside, after an escaped quote
    expect(sqlExcerpt('SELECT 1', 8)).toBe('SELECT 1');
    expect(sqlExcerpt(null, 8)).toBe('');
  });
});
