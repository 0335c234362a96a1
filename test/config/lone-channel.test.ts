import { join } from 'node:path';
import { loadConfig } from '../../src/config/load';
import { BASE_CONFIG, writeConfigDir } from './config-files';

const CHAT =
  "chat: { type: google-chat, webhookUrl: 'https://chat.googleapis.com/v1/spaces/A/messages?key=k&token=t' }";

function warningsWith(channels: string[], route: string): string[] {
  const text = BASE_CONFIG.replace(
    '    console: { type: console }\n  routes:\n    - { channel: console }\n',
    `${channels.map((c) => `    ${c}\n`).join('')}  routes:\n    - { channel: ${route} }\n`,
  );
  return loadConfig(join(writeConfigDir({ 'guardrail.yaml': text }), 'guardrail.yaml'), {}).warnings;
}

describe('a config whose alerts have one channel only', () => {
  it("warns that Guardrail's own alert about that channel breaking has nowhere to go", () => {
    expect(warningsWith([CHAT], 'chat')).toEqual([
      "alerts.channels: 'chat' is the only channel: when it breaks, Guardrail's own alert about it has nowhere " +
        'to go (add a second channel, or rely on GuardrailChannelFailing in Prometheus)',
    ]);
  });

  it('says nothing with a second channel, or when the only one is the console, which cannot break', () => {
    expect(warningsWith([CHAT, 'console: { type: console }'], 'chat')).toEqual([]);
    expect(warningsWith(['console: { type: console }'], 'console')).toEqual([]);
  });
});
