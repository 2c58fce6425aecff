// Adaptive Cards read by Microsoft's own parser (the adaptivecards package): what it complains about when
// it parses a card and validates its properties. An empty list is a card Teams renders as written.
import { createRequire } from 'node:module';

interface ParseContext {
  eventCount: number;
  getEventAt(index: number): { message: string };
}

const AdaptiveCards = createRequire(import.meta.url)('adaptivecards/dist/adaptivecards.js') as {
  AdaptiveCard: new () => {
    parse(json: unknown, context: ParseContext): void;
    validateProperties(): { validationEvents: { message: string }[] };
  };
  SerializationContext: new () => ParseContext;
};

/** Every complaint of the parser and of property validation about `content` (the card, not the message). */
export function adaptiveCardComplaints(content: unknown): string[] {
  const card = new AdaptiveCards.AdaptiveCard();
  const context = new AdaptiveCards.SerializationContext();
  card.parse(content, context);
  return [
    ...Array.from({ length: context.eventCount }, (_, i) => context.getEventAt(i).message),
    ...card.validateProperties().validationEvents.map((event) => event.message),
  ];
}
