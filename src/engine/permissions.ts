import type { AnyCheckDefinition } from '../../checks/types';
import { connectionPermissions } from '../connectors/permissions';

/**
 * The IAM actions one configured check needs: what the check kind itself calls, plus what its connections call
 * (the Redshift Data API only when a connection it names is `redshift`).
 */
export function checkPermissions(
  def: AnyCheckDefinition,
  config: unknown,
  connections: Record<string, { type: string }>,
): string[] {
  const names = (def.connectionsOf?.(config) ?? []).map((ref) => ref.name);
  return [...new Set([...def.permissions, ...connectionPermissions(names, connections)])];
}
