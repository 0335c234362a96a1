// Only what Guardrail sends, re-exported statically: callers `await import()` this module, so the bundle keeps
// these exports of the SDK and drops the rest (an `import()` of the SDK package itself keeps every command).
export {
  BatchExecuteStatementCommand,
  CancelStatementCommand,
  DescribeStatementCommand,
  GetStatementResultCommand,
  RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
