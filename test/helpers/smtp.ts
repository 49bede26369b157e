import { type AddressObject, type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';

/** A mail as the SMTP server received it, parsed. */
export interface ReceivedMail {
  to: string[];
  from: string;
  parsed: ParsedMail;
  raw: string;
}

export interface TestSmtp {
  url: string;
  port: number;
  received: ReceivedMail[];
  /** Mails to one recipient, in arrival order. */
  to(address: string): ReceivedMail[];
  /**
   * Decides the answer to each message (after it has been read whole): undefined accepts it;
   * an error with responseCode refuses it (4xx: try later, 5xx: never).
   */
  answer: ((mail: ReceivedMail) => Promise<Error | undefined> | Error | undefined) | undefined;
  close(): Promise<void>;
}

/** A real SMTP server on loopback (no TLS, no auth unless asked), collecting what it is sent. */
export async function startSmtp(options: { auth?: { user: string; pass: string } } = {}): Promise<TestSmtp> {
  const received: ReceivedMail[] = [];
  const t: TestSmtp = {
    url: '',
    port: 0,
    received,
    to: (address) => received.filter((m) => m.to.includes(address.toLowerCase())),
    answer: undefined,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = new SMTPServer({
    disabledCommands: options.auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    allowInsecureAuth: true,
    authOptional: !options.auth,
    logger: false,
    onAuth(auth, _session, callback) {
      if (options.auth && auth.username === options.auth.user && auth.password === options.auth.pass)
        return callback(null, { user: auth.username });
      return callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const mail: ReceivedMail = {
          to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          parsed: await simpleParser(raw),
          raw,
        };
        const refusal = await t.answer?.(mail);
        if (refusal) return callback(refusal);
        received.push(mail);
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.server.address();
  t.port = typeof address === 'object' && address ? address.port : 0;
  t.url = `smtp://127.0.0.1:${t.port}`;
  return t;
}

export function addresses(a: AddressObject | AddressObject[] | undefined): string[] {
  const list = Array.isArray(a) ? a : a ? [a] : [];
  return list.flatMap((x) => x.value.map((v) => (v.address ?? '').toLowerCase()));
}
