import type { MailState } from '../platform/db/schema.js';

/** A message's delivery states (a file of its own: `portico mail` declares them without loading the sender). */
export const MAIL_STATES: readonly MailState[] = ['queued', 'sending', 'sent', 'failed', 'unsent'];
