import type { BigQueryConnection } from './config';
import type { Connector } from './types';
import type { OpenContext } from './open-context';

export async function openBigQuery(_name: string, _config: BigQueryConnection, _ctx: OpenContext): Promise<Connector> {
  throw new Error('the bigquery connector is not available yet');
}
