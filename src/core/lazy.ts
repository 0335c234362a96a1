/**
 * A value made on first use and kept. For module-level objects that are costly to make and not needed by every
 * command, e.g. an `Intl.NumberFormat`, whose first use loads ICU data (about 8 MB of RSS) that `guardrail
 * validate` never needs.
 */
export function lazy<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}
