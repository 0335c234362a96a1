import { cronMistake } from '../../src/core/fields';

// A refused schedule says what is wrong with it: the number of fields, or which field is out of range.
describe('cronMistake', () => {
  it.each([
    [
      '0 25 * * *',
      "'0 25 * * *' is not a cron expression (out of range: hour (0-23): '25'); e.g. \"*/5 * * * *\"",
    ],
    ['61 * * * *', "(out of range: minute (0-59): '61')"],
    ['0 0 0 * *', "(out of range: day of month (1-31): '0')"],
    ['0 0 1 13 8', "(out of range: month (1-12): '13', day of week (0-7): '8')"],
    ['0 0 31 2 *', '(an impossible date)'],
    [
      'every minute',
      '\'every minute\' is not a cron expression: it has 2 fields; expected 5, e.g. "*/5 * * * *"',
    ],
    ['* * *', 'it has 3 fields'],
  ])('%s', (text, expected) => {
    expect(cronMistake(text)).toContain(expected);
  });

  it('names the seconds field of a 6-field expression', () => {
    expect(cronMistake('75 * * * * *')).toContain("second (0-59): '75'");
  });
});

it('says an empty schedule has no field', () => {
  expect(cronMistake('  ')).toContain('it has 0 fields');
});
