/** What is known of a session: from PostgreSQL's pg_stat_activity, or what Redshift's logs tell (empty text where they do not). */
export interface SessionFacts {
  /** Its current statement when `active`, else its last one. */
  sql: string;
  /**
   * `active`, `idle in transaction`, `idle in transaction (aborted)`, `idle` (PostgreSQL's `state`, or what
   * Redshift's query history implies), or `unknown`.
   */
  state: string;
  /** When it entered that state; undefined when unknown. */
  stateSince?: Date;
  /** How long it has been in that state, by the database's clock; undefined when unknown. */
  stateMs?: number;
  /** Its application_name; empty when unknown. */
  application: string;
  /** Where it connects from (`host:port`, `local socket`); empty when unknown. */
  client: string;
}
