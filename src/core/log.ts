import pino, { type Logger } from 'pino';

/** JSON lines on stderr; stdout is for the report and human text. */
export function createLogger(level = process.env.GUARDRAIL_LOG_LEVEL ?? 'info'): Logger {
  return pino(
    {
      level,
      base: { app: 'guardrail' },
      redact: {
        paths: ['url', 'webhookUrl', 'password', '*.url', '*.webhookUrl', '*.password', 'config.*'],
        censor: '[redacted]',
      },
    },
    pino.destination({ fd: 2, sync: true }),
  );
}

export type { Logger };

let warningLog: Logger | undefined;

/**
 * One process warning (Node's, or a library's `process.emitWarning`: the AWS SDK's NodeVersionSupportWarning,
 * Google's MetadataLookupWarning) as one JSON line, where Node's own printer writes several raw lines.
 */
export function logProcessWarning(warning: Error & { code?: string }): void {
  warningLog ??= createLogger();
  const detail = warning.message.replace(/\s*\n\s*/g, ' ').trim();
  warningLog.warn(
    { warning: warning.name, ...(warning.code ? { code: warning.code } : {}), detail },
    'process warning',
  );
}
