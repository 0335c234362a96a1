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
