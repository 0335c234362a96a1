import { cronExpression, cronMistake } from '../../src/core/fields';

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

  // A trial: node-cron accepts '5-1' and runs it 57 times an hour (5 to 59, then 0 and 1).
  it.each([
    [
      '5-1 * * * *',
      '(minute (0-59): the range \'5-1\' runs backwards, which node-cron reads as wrapping round the minute); write it from low to high, e.g. "1-5"',
    ],
    ['0 9 * * fri-mon', "day of week (0-7): the range 'fri-mon' runs backwards"],
    ['0 0 1 dec-jan *', "month (1-12): the range 'dec-jan' runs backwards"],
    ['0 22-2/2 * * *', "hour (0-23): the range '22-2' runs backwards"],
    ['30 5-1 * * * *', "minute (0-59): the range '5-1' runs backwards"],
  ])('%s runs backwards', (text, expected) => {
    expect(cronMistake(text)).toContain(expected);
  });

  it('names the seconds field of a 6-field expression', () => {
    expect(cronMistake('75 * * * * *')).toContain("second (0-59): '75'");
  });
});

it('says an empty schedule has no field', () => {
  expect(cronMistake('  ')).toContain('it has 0 fields');
});

it('takes ranges written low to high, named ones too', () => {
  const schedule = cronExpression();
  for (const text of [
    '1-5 * * * *',
    '0 9 * * mon-fri',
    '0 0 1 jan-mar *',
    '0 0-23/2 * * *',
    '0 9 * * sun-sat',
  ])
    expect([text, schedule.safeParse(text).success]).toEqual([text, true]);
  expect(schedule.safeParse('5-1 * * * *').success).toBe(false);
});
