import type * as z from 'zod';
import type { CheckCommon } from '../core/types';
import type { TopLevel } from './schema';
import type { Position } from './list-files';

export type TopLevelConfig = z.infer<typeof TopLevel>;

export interface ChannelConfig {
  name: string;
  type: string;
  config: Record<string, unknown>;
}

export type CheckConfig = CheckCommon & Record<string, unknown>;

/** A loaded, validated config. */
export interface GuardrailConfig extends Omit<TopLevelConfig, 'checks' | 'include'> {
  file: string;
  dir: string;
  checks: CheckConfig[];
  channels: ChannelConfig[];
  /** Non-fatal remarks for `validate`. */
  warnings: string[];
  /**
   * Where a path inside a check was written, list files included (`['tables', 7, 'where']` may stand in
   * `tables/shop.yaml`): for messages about the config found later, e.g. by `validate --online`.
   */
  positionOf?(checkId: string, path: readonly (string | number)[]): Position;
}
