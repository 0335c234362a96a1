import { whereProblem } from '../../src/connectors/where';

describe('where grammar', () => {
  it.each([
    'deleted_at IS NULL',
    'x > 0',
    "note <> '${X}'",
    'deleted = 0',
    "status NOT IN ('gone', 'test', -1) AND NOT amount BETWEEN 1 AND 2 OR email LIKE '%@example.com'",
    'CAST(amount AS DECIMAL(10, 2)) > 1.5e3',
    "updated_at >= CURRENT_TIMESTAMP - INTERVAL '1 day'",
    "created > DATE '2026-01-01' AND created < now() - INTERVAL 1 DAY",
    `"Odd Col" = 'it''s' AND \`s\`.\`t\`.c IS NOT TRUE`,
    'created::date = CURRENT_DATE',
    "lower(trim(name)) = 'a' AND coalesce(n, 0) * 2 + 1 <> 3",
    'shop.orders.deleted_at IS NOT NULL',
    'is_active',
    '(a = 1 OR b = 2) AND c != 3',
    "CAST(updated_at AS TIMESTAMP WITH TIME ZONE) >= TIMESTAMP '2026-01-01 00:00:00'",
  ])('accepts %s', (where) => {
    expect(whereProblem(where)).toBeUndefined();
  });

  it.each([
    [
      '1=1; COMMIT; BEGIN READ WRITE; CREATE TABLE pwned(x int); SELECT 1',
      'a where is one expression: ";" is not allowed (at character 4)',
    ],
    ['1=1) ; INSERT INTO t VALUES (1', 'a where is one expression: ";" is not allowed (at character 6)'],
    ['1=1) OR (1=1', "unexpected ')' after the expression (at character 4)"],
    [
      "length(read_text('/etc/passwd')) > 0",
      'function read_text is not allowed in where; allowed: abs, ceil, char_length, coalesce, concat, date, ' +
        'date_trunc, floor, greatest, least, length, lower, ltrim, now, nullif, round, rtrim, substr, trim, upper, ' +
        'cast (at character 8)',
    ],
    ['pg_sleep(15) IS NOT NULL', 'function pg_sleep is not allowed in where; allowed:'],
    [
      'id IN (SELECT id FROM t)',
      'subqueries are not allowed in where: IN takes a list of literals (at character 8)',
    ],
    ['(SELECT count(*) FROM t) > 0', 'subqueries are not allowed in where (at character 2)'],
    ['EXISTS (SELECT 1)', 'subqueries are not allowed in where (at character 1)'],
    ['x = 1 INTO pwned', 'INTO is not allowed in where (at character 7)'],
    ['x = 1 -- comment', 'comments are not allowed in where (at character 7)'],
    ['x = 1 /* comment */', 'comments are not allowed in where (at character 7)'],
    ['x = 1 # comment', 'comments are not allowed in where (at character 7)'],
    ["x = 'a\\' OR 1=1", 'backslashes are not allowed in string literals (at character 7)'],
    ["x = 'open", 'unterminated string literal (at character 5)'],
    ['1', 'where must be a condition (e.g. deleted_at IS NULL), not a value (at character 1)'],
    ['x + 1', 'where must be a condition (e.g. deleted_at IS NULL), not a value (at character 1)'],
    ['', 'where is empty (at character 1)'],
    ['x IS 1', "expected NULL, TRUE or FALSE after IS, found '1' (at character 6)"],
    ['x = $1', "unexpected character '$' (at character 5)"],
    ['a.b.c.d = 1', 'a column name has at most three parts (at character 9)'],
    ['x IN (y)', "IN takes a list of literals, found 'y' (at character 7)"],
    ['x = 1 AND', 'expected a value, found the end (at character 10)'],
    ['DROP TABLE t', 'unexpected keyword DROP (at character 1)'],
  ])('refuses %s', (where, message) => {
    const problem = whereProblem(where);

    expect(problem?.startsWith(message)).toBe(true);
  });
});
