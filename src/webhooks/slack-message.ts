// A Slack incoming-webhook message: `text` for notifications and clients without blocks, and Block Kit
// blocks, a header and sections per event. Slack caps a message at 50 blocks and a section at 3000 characters.
import type { BasewatchEvent } from '../core/events.js';
import { eventStory } from './event-story.js';

const MAX_BLOCKS = 50;
const MAX_TEXT = 3000;

export function slackMessage(events: readonly BasewatchEvent[]): {
  text: string;
  blocks: Record<string, unknown>[];
} {
  const blocks: Record<string, unknown>[] = [];
  const titles: string[] = [];
  for (const event of events) {
    const story = eventStory(event);
    titles.push(story.title);
    const section: Record<string, unknown>[] = [
      { type: 'header', text: { type: 'plain_text', text: story.title.slice(0, 150), emoji: false } },
    ];
    if (story.facts.length > 0)
      section.push({
        type: 'section',
        fields: story.facts.slice(0, 10).map((fact) => ({
          type: 'mrkdwn',
          text: clip(`*${mrkdwn(fact.name)}*\n${mrkdwn(fact.value)}`, 2000),
        })),
      });
    if (story.packages.length > 0) {
      const more = story.morePackages > 0 ? `\n… and ${story.morePackages} more` : '';
      section.push({
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: clip(`${story.packages.map((line) => `• ${mrkdwn(line)}`).join('\n')}${more}`, MAX_TEXT),
        },
      });
    }
    if (story.links.length > 0)
      section.push({
        type: 'context',
        elements: story.links.map((link) => ({
          type: 'mrkdwn',
          text: `<${link.url}|${mrkdwn(link.title)}>`,
        })),
      });
    if (blocks.length + section.length > MAX_BLOCKS) break;
    blocks.push(...section, { type: 'divider' });
  }
  return { text: clip(titles.join('; '), MAX_TEXT), blocks: blocks.slice(0, -1) };
}

/** Slack's mrkdwn control characters. */
function mrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
