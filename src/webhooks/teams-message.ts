// A Microsoft Teams Workflows webhook message: one Adaptive Card (schema 1.4) per batch, a section per
// event, or per cycle digest, a section per image. Office 365 connectors are retired; Workflows take
// `attachments[]` of Adaptive Cards.
import type { BasewatchEvent } from '../core/events.js';
import type { CycleDigest } from './cycle-digest.js';
import { digestStory } from './digest-story.js';
import { type EventStory, eventStory } from './event-story.js';

export const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';

export function teamsMessage(events: readonly BasewatchEvent[]): Record<string, unknown> {
  const body: Record<string, unknown>[] = [];
  const actions: Record<string, unknown>[] = [];
  for (const [index, event] of events.entries()) {
    const story = eventStory(event);
    body.push({
      type: 'TextBlock',
      text: story.title,
      weight: 'Bolder',
      size: 'Medium',
      wrap: true,
      ...(index > 0 && { separator: true }),
    });
    body.push(...factsAndPackages(story));
    for (const link of story.links)
      actions.push({ type: 'Action.OpenUrl', title: `${story.title}: ${link.title}`, url: link.url });
  }
  return adaptiveCardMessage(body, actions);
}

/** One digest as one card: a heading, then per image its facts, package lines and each app with its log. */
export function teamsDigest(digest: CycleDigest): Record<string, unknown> {
  const story = digestStory(digest);
  const body: Record<string, unknown>[] = [
    { type: 'TextBlock', text: story.title, weight: 'Bolder', size: 'Large', wrap: true },
    { type: 'TextBlock', text: story.subtitle, isSubtle: true, spacing: 'None', wrap: true },
  ];
  for (const image of story.images) {
    body.push({ type: 'TextBlock', text: image.title, weight: 'Bolder', separator: true, wrap: true });
    body.push(...factsAndPackages(image));
    if (image.apps.length > 0)
      body.push({
        type: 'TextBlock',
        text: image.apps
          .map((app) => `- ${app.text}${app.log !== undefined ? ` ([Log](${markdownUrl(app.log)}))` : ''}`)
          .join('\n'),
        wrap: true,
      });
  }
  if (story.more !== undefined)
    body.push({ type: 'TextBlock', text: story.more, isSubtle: true, separator: true, wrap: true });
  return adaptiveCardMessage(body, []);
}

/** The facts as a FactSet, then the package lines as a list ending in how many more there are. */
function factsAndPackages(
  story: Pick<EventStory, 'facts' | 'packages' | 'morePackages'>,
): Record<string, unknown>[] {
  const blocks: Record<string, unknown>[] = [];
  if (story.facts.length > 0)
    blocks.push({
      type: 'FactSet',
      facts: story.facts.map((fact) => ({ title: fact.name, value: fact.value })),
    });
  if (story.packages.length > 0) {
    const more = story.morePackages > 0 ? `\n- … and ${story.morePackages} more` : '';
    blocks.push({
      type: 'TextBlock',
      text: story.packages.map((line) => `- ${line}`).join('\n') + more,
      wrap: true,
    });
  }
  return blocks;
}

/** A URL inside a markdown link: parentheses and spaces would end it early. */
function markdownUrl(url: string): string {
  return url.replace(/[()\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

function adaptiveCardMessage(
  body: Record<string, unknown>[],
  actions: Record<string, unknown>[],
): Record<string, unknown> {
  return {
    type: 'message',
    attachments: [
      {
        contentType: ADAPTIVE_CARD,
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body,
          ...(actions.length > 0 && { actions }),
        },
      },
    ],
  };
}
