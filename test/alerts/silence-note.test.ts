import { renderMessage } from '../../alerts/channels/google-chat/render';
import { renderText } from '../../alerts/render-text';
import { discoveryValidator } from '../servers/chat/discovery-validator';
import { item, notification } from './google-chat/notifications';

const validate = discoveryValidator();
const silence = {
  by: 'alice <on-call>',
  reason: 'backfill & replay, INC-42',
  until: '2026-11-20T11:30:00.000Z',
};

describe('the note on an alert announced again after its silence ended', () => {
  it('says on the Chat card, escaped, who silenced it, until when and why; the card stays valid', () => {
    const n = notification([item({ status: 'repeat', firingSince: '2026-11-20T09:00:00.000Z', silence })]);

    const message = renderMessage(n);

    const widgets = message.cardsV2[0]!.card.sections[0]!.widgets;
    expect(widgets).toContainEqual({
      textParagraph: {
        text: '<i>was silenced by alice &lt;on-call&gt; until 2026-11-20 11:30 UTC: backfill &amp; replay, INC-42</i>',
      },
    });
    expect(validate(message)).toEqual([]);
  });

  it('says it in the console text under the item', () => {
    const n = notification([item({ silence })]);

    const text = renderText(n).split('\n');

    expect(text).toContain(
      '      was silenced by alice <on-call> until 2026-11-20 11:30 UTC: backfill & replay, INC-42',
    );
  });

  it('adds nothing to an item that was not silenced', () => {
    const n = notification([item()]);

    expect(renderText(n)).not.toContain('was silenced');
    expect(JSON.stringify(renderMessage(n))).not.toContain('was silenced');
  });
});
