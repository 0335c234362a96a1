import type { RedshiftConnection } from './config';
import type { Connector } from './types';
import type { OpenContext } from './open-context';

export async function openRedshift(_name: string, _config: RedshiftConnection, _ctx: OpenContext): Promise<Connector> {
  throw new Error('the redshift connector is not available yet');
}
