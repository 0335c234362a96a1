import picomatch from 'picomatch';
import { withoutSdkLogging, type AwsClientConfig } from '../../src/aws/clients';
import { PageTokens } from '../../src/aws/pages';

/** ListFunctions' largest page. @see https://docs.aws.amazon.com/lambda/latest/api/API_ListFunctions.html */
export const LIST_FUNCTIONS_PAGE_SIZE = 50;

export interface LambdaFunction {
  name: string;
  arn: string;
  timeoutMs: number;
}

export function nameFilter(include: string[], exclude: string[]): (name: string) => boolean {
  const included = include.length > 0 ? picomatch(include) : () => true;
  const excluded = exclude.length > 0 ? picomatch(exclude) : () => false;
  return (name) => included(name) && !excluded(name);
}

export async function listFunctions(
  client: AwsClientConfig,
  signal: AbortSignal,
  keep: (name: string) => boolean,
): Promise<LambdaFunction[]> {
  const { LambdaClient, ListFunctionsCommand } = await import('../../src/aws/sdk/lambda.js');
  const lambda = withoutSdkLogging(new LambdaClient(client));
  const functions: LambdaFunction[] = [];
  try {
    const markers = new PageTokens('lambda:ListFunctions');
    let marker: string | undefined;
    do {
      const page = await lambda.send(
        new ListFunctionsCommand({ Marker: marker, MaxItems: LIST_FUNCTIONS_PAGE_SIZE }),
        {
          abortSignal: signal,
        },
      );
      for (const f of page.Functions ?? []) {
        if (!f.FunctionName || !f.FunctionArn || !keep(f.FunctionName)) continue;
        // Lambda's default timeout is 3 s when the field is absent.
        functions.push({ name: f.FunctionName, arn: f.FunctionArn, timeoutMs: (f.Timeout ?? 3) * 1000 });
      }
      marker = markers.next(page.NextMarker);
    } while (marker);
  } finally {
    lambda.destroy();
  }
  return functions;
}

/** Tags of the few functions that would be reported (ListTags per function is too costly for all of them). */
export async function functionTags(
  client: AwsClientConfig,
  signal: AbortSignal,
  arns: string[],
): Promise<Map<string, Record<string, string>>> {
  const tags = new Map<string, Record<string, string>>();
  if (arns.length === 0) return tags;
  const { LambdaClient, ListTagsCommand } = await import('../../src/aws/sdk/lambda.js');
  const lambda = withoutSdkLogging(new LambdaClient(client));
  try {
    for (const arn of arns) {
      const out = await lambda.send(new ListTagsCommand({ Resource: arn }), { abortSignal: signal });
      tags.set(arn, out.Tags ?? {});
    }
  } finally {
    lambda.destroy();
  }
  return tags;
}
