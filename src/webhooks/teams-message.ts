// A Microsoft Teams Workflows webhook message: one Adaptive Card (schema 1.4) per batch, a section per
// event. Office 365 connectors are retired; Workflows take `attachments[]` of Adaptive Cards.
import type { BasewatchEvent } from '../core/events.js';
import { eventStory } from './event-story.js';

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
    if (story.facts.length > 0)
      body.push({
        type: 'FactSet',
        facts: story.facts.map((fact) => ({ title: fact.name, value: fact.value })),
      });
    if (story.packages.length > 0) {
      const more = story.morePackages > 0 ? `\n- … and ${story.morePackages} more` : '';
      body.push({
        type: 'TextBlock',
        text: story.packages.map((line) => `- ${line}`).join('\n') + more,
        wrap: true,
      });
    }
    for (const link of story.links)
      actions.push({ type: 'Action.OpenUrl', title: `${story.title}: ${link.title}`, url: link.url });
  }
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
