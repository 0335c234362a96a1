import { describeAwsError } from '../../src/aws/clients';

/** An error as the SDK's credential chain raises it. */
const credentialsError = (message: string) =>
  Object.assign(new Error(message), { name: 'CredentialsProviderError' });

describe('describeAwsError', () => {
  it('names what to set when the default chain found no credentials at all', () => {
    expect(describeAwsError(credentialsError('Could not load credentials from any providers'))).toMatch(
      /^CredentialsProviderError: Could not load credentials from any providers \(set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or run with an IAM role/,
    );
  });

  it('adds nothing to a credentials error that says what is wrong (a wrong profile, an expired session)', () => {
    const said = 'Profile nosuch could not be found or parsed in shared credentials file.';

    expect(describeAwsError(credentialsError(said))).toBe(`CredentialsProviderError: ${said}`);
  });

  it('puts the AWS error code first', () => {
    const denied = Object.assign(new Error('User is not authorized'), { name: 'AccessDenied' });

    expect(describeAwsError(denied)).toBe('AccessDenied: User is not authorized');
  });
});
