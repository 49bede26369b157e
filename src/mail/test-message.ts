import nodemailer from 'nodemailer';
import type { AppContext } from '../app-context.js';
import { AppError } from '../platform/http/errors.js';
import { companyData } from './compose.js';
import { messageIdFor, smtpOptions } from './sender.js';
import { render } from './templates.js';

/**
 * "Send a test message": one message to the address given, through email.smtp_url as saved, now
 * and not through the queue, so the admin setting up mail sees at once what the server answered
 * (a wrong password, a refused sender, a host that does not answer) instead of finding a failed
 * invoice message later.
 */
export async function sendTestMessage(
  deps: Pick<AppContext, 'settings' | 'clock'>,
  to: string,
  sentBy: string,
): Promise<{ to: string; message_id: string; response: string }> {
  const settings = deps.settings.snapshot;
  const url = settings['email.smtp_url'];
  const from = settings['email.from'];
  const missing = [!url && 'email.smtp_url', !from && 'email.from'].filter(Boolean) as string[];
  if (missing.length) {
    throw new AppError(
      'conflict',
      `Nothing can be sent until ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} set.`,
    );
  }
  const company = companyData(settings);
  const mail = render(
    {
      subject: 'Test message from {{company.name}}',
      text: 'This is a test message from {{company.name}}, sent by {{sent_by}} from the admin area.\n\nEmail from Portico reaches this address.',
      html: '<p>This is a test message from {{company.name}}, sent by {{sent_by}} from the admin area.</p><p>Email from Portico reaches this address.</p>',
    },
    { company, sent_by: sentBy },
  );
  const messageId = messageIdFor(`test_${deps.clock.nowMs().toString(36)}`, from);
  const transporter = nodemailer.createTransport(smtpOptions(url));
  try {
    const info = await transporter.sendMail({ from, to, ...mail, messageId });
    return { to, message_id: messageId, response: String(info.response ?? '') };
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    const code = (error as { responseCode?: number }).responseCode;
    throw new AppError(
      'mail_server_error',
      `The mail server ${withoutCredentials(url)} did not take the message${code ? ` (${code})` : ''}: ${text}`,
      { cause: error },
    );
  } finally {
    transporter.close();
  }
}

/** The server's address for a message: never its password (nodemailer's own errors do not carry it). */
function withoutCredentials(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}`;
}
