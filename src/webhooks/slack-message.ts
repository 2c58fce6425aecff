// A Slack incoming-webhook message: `text` for notifications and clients without blocks, and Block Kit
// blocks, a header and sections per event (or per image of a cycle digest). Slack caps a message at 50
// blocks and a section at 3000 characters.
import type { KnownBlock } from '@slack/types';
import type { BasewatchEvent } from '../core/events.js';
import type { CycleDigest } from './cycle-digest.js';
import { digestStory } from './digest-story.js';
import { eventStory } from './event-story.js';

const MAX_BLOCKS = 50;
const MAX_TEXT = 3000;

/** What an incoming webhook takes; the blocks are checked against Slack's own Block Kit types. */
export interface SlackMessage {
  readonly text: string;
  readonly blocks: KnownBlock[];
}

export function slackMessage(events: readonly BasewatchEvent[]): SlackMessage {
  const blocks: KnownBlock[] = [];
  const titles: string[] = [];
  for (const event of events) {
    const story = eventStory(event);
    titles.push(story.title);
    const section: KnownBlock[] = [
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
          text: `<${slackUrl(link.url)}|${mrkdwn(link.title)}>`,
        })),
      });
    if (blocks.length + section.length > MAX_BLOCKS) break;
    blocks.push(...section, { type: 'divider' });
  }
  return { text: clip(titles.join('; '), MAX_TEXT), blocks: blocks.slice(0, -1) };
}

/** One digest as one message: a header, then per image a section of what moved and a section of its apps. */
export function slackDigest(digest: CycleDigest): SlackMessage {
  const story = digestStory(digest);
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: story.title.slice(0, 150), emoji: false } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: mrkdwn(story.subtitle) }] },
  ];
  for (const image of story.images) {
    const more = image.morePackages > 0 ? [`… and ${image.morePackages} more`] : [];
    const lines = [
      `*${mrkdwn(image.title)}*`,
      ...image.facts.map((fact) => `${mrkdwn(fact.name)}: ${mrkdwn(fact.value)}`),
      ...image.packages.map((line) => `• ${mrkdwn(line)}`),
      ...more,
    ];
    // DIGEST_IMAGES bounds the images, so three blocks each stay within Slack's 50.
    blocks.push(
      { type: 'divider' },
      { type: 'section', text: { type: 'mrkdwn', text: clip(lines.join('\n'), MAX_TEXT) } },
    );
    if (image.apps.length > 0)
      blocks.push({
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: clip(
            image.apps
              .map(
                (app) => `• ${mrkdwn(app.text)}${app.log !== undefined ? ` <${slackUrl(app.log)}|Log>` : ''}`,
              )
              .join('\n'),
            MAX_TEXT,
          ),
        },
      });
  }
  if (story.more !== undefined)
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: mrkdwn(story.more) }] });
  const text = `${story.title}: ${story.images.map((image) => image.title).join('; ')}`;
  return { text: clip(text, MAX_TEXT), blocks: blocks.slice(0, MAX_BLOCKS) };
}

/** A URL inside `<url|title>`: `|`, `<` and `>` would end it early. */
function slackUrl(url: string): string {
  return url.replace(/[|<>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Slack's mrkdwn control characters. */
function mrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
