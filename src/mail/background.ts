import { eventConsumers } from '../events/consumers.js';
import { type DispatchDeps, EventDispatcher } from '../events/dispatcher.js';
import { WebhookSender, type WebhookSenderDeps } from '../webhooks/sender.js';
import { MailSender, type SenderDeps } from './sender.js';

/** What the worker process runs beside the job queue: the outbox's consumers, the mail sender and the webhook sender. */
export function startEventWork(
  deps: DispatchDeps & SenderDeps & WebhookSenderDeps,
  options: { pollMs?: number; mailLeaseMs?: number } = {},
): { stop(): Promise<void> } {
  const poll = options.pollMs ? { pollMs: options.pollMs } : {};
  const dispatcher = new EventDispatcher(deps, eventConsumers(), poll);
  const sender = new MailSender(deps, { ...poll, ...(options.mailLeaseMs ? { leaseMs: options.mailLeaseMs } : {}) });
  const webhooks = new WebhookSender(deps, poll);
  dispatcher.start();
  sender.start();
  webhooks.start();
  return {
    stop: async () => {
      await dispatcher.stop();
      await sender.stop();
      await webhooks.stop();
    },
  };
}
