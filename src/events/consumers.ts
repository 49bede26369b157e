import { mailConsumer } from '../mail/compose.js';
import { webhookConsumer } from '../webhooks/consumer.js';
import type { EventConsumerHandler } from './dispatcher.js';
import type { EventConsumer } from './events.js';

/** The handler of every consumer named in EVENT_CONSUMERS (a new consumer adds itself to both). */
export function eventConsumers(): Record<EventConsumer, EventConsumerHandler> {
  return { mail: mailConsumer(), webhooks: webhookConsumer() };
}
