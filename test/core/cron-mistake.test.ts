import { cronExpression, cronMistake, wrappingRange } from '../../src/core/fields';

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

// A trial: node-cron accepts '5-1' and runs it 57 times an hour (5 to 59, then 0 and 1); a review: it runs '22-2'
// overnight and 'mon-sun' every day, as meant. They are accepted, and the wrapping ones get a warning.
describe('wrappingRange', () => {
  it.each([
    [
      '5-1 * * * *',
      "schedule '5-1 * * * *': the minute range 5-1 wraps round the end of the hour, and node-cron runs it at " +
        '5-59 and 0-1: write 5-59,0-1 to say so, or 1-5 if that was meant',
    ],
    [
      '0 22-2 * * *',
      'the hour range 22-2 wraps round the end of the day, and node-cron runs it at 22-23 and 0-2',
    ],
    ['0 9 * * fri-tue', 'the day of week range fri-tue wraps round the end of the week'],
    [
      '0 0 1 dec-jan *',
      'the month range dec-jan wraps round the end of the year, and node-cron runs it at 12-12 and 1-1',
    ],
    ['0 0-23/2 22-2 * *', 'the day of month range 22-2 wraps'],
    ['30 5-1 * * * *', 'the minute range 5-1 wraps round the end of the hour'],
    // A trial: a step carries on across the end (5, 7, ... 59, 1), so no split is offered.
    [
      '5-1/2 * * * *',
      'the minute range 5-1/2 wraps round the end of the hour, and node-cron counts its step on from 5 past 59 to 1; write 1-5/2 if that was meant',
    ],
  ])('%s', (text, expected) => {
    expect(wrappingRange(text)).toContain(expected);
  });

  it.each([
    '1-5 * * * *',
    '0 9 * * mon-fri',
    '0 9 * * mon-sun',
    '0 9 * * sat-0',
    '0 0 1 jan-mar *',
    '*/5 * * * *',
    '0 9 * * 5-7',
    '0 0 * * 7-1',
    '0 9 * * sat-sun',
  ])('%s does not wrap', (text) => expect(wrappingRange(text)).toBeUndefined());
});

it('takes ranges written either way, as node-cron runs them', () => {
  const schedule = cronExpression();
  for (const text of ['1-5 * * * *', '0 9 * * mon-fri', '5-1 * * * *', '0 22-2 * * *', '0 9 * * mon-sun'])
    expect([text, schedule.safeParse(text).success]).toEqual([text, true]);
});
