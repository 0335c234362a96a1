import * as z from '../../../src/core/zod';
import type { Channel, ChannelDefinition } from '../../types';
import { renderText } from '../../render-text';

export const ConsoleChannelConfig = z.strictObject({});

/** Prints each notification as readable text on stdout; never fails. */
export const consoleChannel: ChannelDefinition = {
  type: 'console',
  description: 'Prints alerts to stdout (quickstart, dry runs, debugging).',
  configSchema: ConsoleChannelConfig,
  create(name, _config, deps): Channel {
    return {
      name,
      type: 'console',
      pacingKey: `console:${name}`,
      minIntervalMs: 0,
      preview: renderText,
      async send(notification) {
        deps.out(renderText(notification));
      },
    };
  },
};
