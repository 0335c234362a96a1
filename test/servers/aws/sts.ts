import type { FakeAccount } from './world';
import { sessionKeyFor } from './world';
import { el, queryError } from './xml';
import type { Reply } from './reply';

const NS = 'https://sts.amazonaws.com/doc/2011-06-15/';
const xml = { 'content-type': 'text/xml' };

export function assumeRole(accounts: FakeAccount[], params: URLSearchParams): Reply {
  const arn = params.get('RoleArn');
  const account = accounts.find((a) => a.roleArn === arn);
  if (!account || (account.externalId && account.externalId !== params.get('ExternalId'))) {
    return {
      status: 403,
      headers: xml,
      body: queryError('AccessDenied', `not authorized to perform sts:AssumeRole on ${arn}`),
    };
  }
  const expiration = new Date(Date.now() + 3600_000).toISOString();
  const credentials =
    `<Credentials>${el('AccessKeyId', sessionKeyFor(account.id))}${el('SecretAccessKey', 'fake-secret')}` +
    `${el('SessionToken', 'fake-token')}${el('Expiration', expiration)}</Credentials>`;
  const user = `<AssumedRoleUser>${el('Arn', `${arn}/${params.get('RoleSessionName')}`)}${el('AssumedRoleId', 'AROA:x')}</AssumedRoleUser>`;
  const body = `<AssumeRoleResponse xmlns="${NS}"><AssumeRoleResult>${credentials}${user}</AssumeRoleResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></AssumeRoleResponse>`;
  return { status: 200, headers: xml, body };
}

export function getCallerIdentity(accountId: string): Reply {
  const result = `${el('Arn', `arn:aws:iam::${accountId}:user/ci`)}${el('UserId', 'AIDA1')}${el('Account', accountId)}`;
  const body = `<GetCallerIdentityResponse xmlns="${NS}"><GetCallerIdentityResult>${result}</GetCallerIdentityResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`;
  return { status: 200, headers: xml, body };
}
