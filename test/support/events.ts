/** Builds canonical events for tests, parsed through the real schema. */
import { type EventInput, eventInputSchema, type ParsedEvent } from '../../shared/events';

let counter = 0;

export function ev(partial: Partial<EventInput> & { identifiers?: EventInput['identifiers'] }): ParsedEvent {
  counter += 1;
  return eventInputSchema.parse({
    type: 'visit',
    occurredAt: '2026-02-01T10:00:00Z',
    externalId: `t-${counter}`,
    ...partial,
  });
}

export function purchase(
  identifiers: EventInput['identifiers'],
  total: number,
  extra: Partial<EventInput> = {},
): ParsedEvent {
  return ev({ type: 'purchase', identifiers, payload: { total, currency: 'GBP' }, ...extra });
}
