// Imported by main.ts at start-up: nothing here may load a module (commands load theirs when they run).

/**
 * Exit codes (DESIGN.md §3; the README is their record). `undelivered` wins over `checkFailed` (a check error is
 * itself an alert: if alerts do not arrive, nothing does), which wins over `findings`. `failed`: Guardrail itself
 * could not do its work, outside any check (the state store cannot be opened, the metrics port is taken, an
 * unexpected error): told apart from 3, where the agent ran and a check could not.
 */
export const EXIT = { ok: 0, findings: 1, usage: 2, checkFailed: 3, undelivered: 4, failed: 5 } as const;

/** The options every command takes. */
export interface GlobalOptions {
  config: string;
  state?: string;
}
