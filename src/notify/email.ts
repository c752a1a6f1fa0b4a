// E-mail channel (spec 03 §8.2): one SMTP session per message through smtp-client, which only speaks
// the protocol; the message source comes from mime.ts. Every failure becomes an Error whose message
// says which step failed and what the server or socket said.
import type { ConnectionOptions } from 'node:tls';
import { SMTPClient } from 'smtp-client';
import { buildMessage } from './mime.ts';

export type SmtpConnectionType = 'plain' | 'starttls' | 'ssl';

/** The stored `smtp_config` fields of §8.2 (decrypted) that sending needs. */
export interface SmtpSettings {
  host: string;
  port: number;
  connectionType: SmtpConnectionType;
  username?: string;
  password?: string;
  /** Absent ⇒ true (§8.2). */
  requireAuth?: boolean;
  senderName?: string;
  fromAddress?: string;
  /**
   * Verify the server certificate (STARTTLS and SSL). Absent ⇒ true; false is the explicit opt-out for
   * self-signed servers. Stricter than the reference, which never verifies.
   */
  rejectUnauthorized?: boolean;
}

export interface EmailMessage {
  to: string[];
  subject: string;
  text: string;
  /** Absent ⇒ textToHtml(text). */
  html?: string;
}

export interface SendOptions {
  /** Per step: connect, greeting, each command (§8.2: 20 s). */
  timeoutMs?: number;
}

const DEFAULT_SENDER_NAME = 'duplistatus';

const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * HTML part of §8.2: links for http(s) URLs, `<br>` for newlines, `**x**` bold, `*x*` italic.
 * Unlike the reference, the text is HTML-escaped first, so log lines cannot inject markup.
 */
export function textToHtml(text: string): string {
  return text
    .split(/(https?:\/\/[^\s<>"]+)/)
    .map((piece, i) => {
      const safe = escapeHtml(piece);
      if (i % 2 === 1) return `<a href="${safe}" target="_blank">${safe}</a>`;
      return safe
        .replace(/\r?\n/g, '<br>')
        .replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>')
        .replace(/\*(.+?)\*/g, '<em>$1</em>');
    })
    .join('');
}

/** From address of §8.2, or throws the spec's configuration errors. */
export function senderAddress(config: SmtpSettings): string {
  const from = config.fromAddress?.trim();
  if (config.connectionType === 'plain' && !from) {
    throw new Error(
      'Invalid email configuration for Plain SMTP connection: From Address is required. Please configure a From Address in the email settings. Plain SMTP connections require a valid From Address to comply with RFC 5322 email standards.',
    );
  }
  const address = from || config.username?.trim() || '';
  if (!address.includes('@')) {
    throw new Error(
      'Invalid email configuration: From address is missing or invalid. Please configure either a From Address or SMTP Username in the email settings.',
    );
  }
  return address;
}

/**
 * The useful part of a failure: smtp-client reply errors carry the reply code, socket errors an errno
 * code such as ECONNREFUSED, OpenSSL errors a short `reason` beside a long multi-line message.
 */
function detail(err: unknown): string {
  const e = err as { code?: unknown; message?: string; reason?: unknown };
  const code = typeof e?.code === 'string' ? e.code : '';
  const message = (typeof e?.reason === 'string' ? e.reason : (e?.message ?? String(err))).trim();
  if (/^\d{3}$/.test(code)) return `${code} ${message}`;
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}

const CERT_ERROR = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS_CERT_ALTNAME_INVALID/;
const TLS_MISMATCH = /wrong version number|ssl routines|tlsv1|protocol version|packet length too long/i;

// smtp-client's types.d.ts misdescribes 0.4: the options go to net/tls.connect (secure, TLS options)
// and hasExtension takes one name.
type Client = Omit<SMTPClient, 'hasExtension'> & {
  hasExtension(name: string): boolean;
  on(event: 'error', listener: (err: Error) => void): unknown;
};

function createClient(options: { host: string; port: number; secure: boolean } & ConnectionOptions): Client {
  const client = new SMTPClient(options as object) as unknown as Client;
  // Socket errors also reject the pending command; without a listener the emitter would throw.
  client.on('error', () => {});
  return client;
}

type Step = 'connect' | 'ehlo' | 'starttls' | 'auth' | 'mail' | 'rcpt' | 'data' | 'quit';

class Timeout extends Error {}

/** Turns the raw failure of one step into the message a user can act on. */
function explain(step: Step, err: unknown, where: string, timeoutMs: number): Error {
  const code = String((err as { code?: unknown })?.code ?? '');
  const text = detail(err);
  let message: string;
  if (err instanceof Timeout) {
    message = `SMTP server ${where} did not answer within ${timeoutMs / 1000} s (${step})`;
  } else if (CERT_ERROR.test(code)) {
    message = `SMTP server certificate of ${where} was rejected: ${text}. Use a certificate the system trusts, or turn off certificate verification for this server.`;
  } else if (TLS_MISMATCH.test(text)) {
    message = `SSL/TLS version mismatch with ${where}: ${text}. The server may require a different TLS version or connection type. Try using "STARTTLS" if currently using "Direct SSL/TLS", or vice versa.`;
  } else if (step === 'connect') {
    message = `Could not connect to SMTP server ${where}: ${text}. Please verify the server address and port are correct.`;
  } else if (step === 'auth') {
    message = `SMTP authentication failed: ${text}. Please verify your username and password are correct.`;
  } else {
    message = `SMTP server ${where} refused ${step.toUpperCase()}: ${text}`;
  }
  return new Error(message, { cause: err });
}

/** Sends one message; resolves once the server accepted it (250 after DATA). */
export async function sendEmail(config: SmtpSettings, message: EmailMessage, options: SendOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const fromAddress = senderAddress(config);
  const auth = config.requireAuth !== false;
  const credentials = { username: config.username?.trim() ?? '', password: config.password ?? '' };
  if (auth && !credentials.username) throw new Error('SMTP authentication is enabled but no username is set');
  const source = buildMessage({
    from: { name: config.senderName?.trim() || DEFAULT_SENDER_NAME, address: fromAddress },
    to: message.to,
    subject: message.subject,
    text: message.text,
    html: message.html ?? textToHtml(message.text),
  });
  const where = `${config.host}:${config.port}`;
  const client = createClient({
    host: config.host,
    port: config.port,
    secure: config.connectionType === 'ssl',
    rejectUnauthorized: config.rejectUnauthorized !== false,
    minVersion: 'TLSv1.2',
  });

  const step = async <T>(name: Step, run: () => Promise<T>): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Timeout()), timeoutMs);
    });
    try {
      return await Promise.race([run(), timeout]);
    } catch (err) {
      throw explain(name, err, where, timeoutMs);
    } finally {
      clearTimeout(timer);
    }
  };
  // EHLO, or HELO for an old server (which then offers neither STARTTLS nor AUTH).
  const greet = () => step('ehlo', () => client.greet());

  try {
    await step('connect', () => client.connect());
    await greet();
    if (config.connectionType === 'starttls') {
      if (!client.hasExtension('STARTTLS')) {
        throw new Error(
          `The SMTP server at ${where} does not support STARTTLS. Please change the connection type to "Plain SMTP" or use "Direct SSL/TLS" if your server supports it.`,
        );
      }
      await step('starttls', () => client.secure());
      await greet(); // capabilities (AUTH) may change once encrypted
    }
    if (auth) {
      const mechanism = authMechanism(client.getAuthMechanisms(), where);
      await step('auth', () => (mechanism === 'PLAIN' ? client.authPlain(credentials) : client.authLogin(credentials)));
    }
    await step('mail', () => client.mail({ from: fromAddress }));
    for (const to of message.to) await step('rcpt', () => client.rcpt({ to }));
    await step('data', () => client.data(source));
    // The message is accepted now; a failing QUIT changes nothing.
    await step('quit', () => client.quit()).catch(() => {});
  } finally {
    // Not awaited: close() never settles when the socket has already closed.
    void client.close().catch(() => {});
  }
}

function authMechanism(offered: string[], where: string): 'PLAIN' | 'LOGIN' {
  if (offered.includes('PLAIN')) return 'PLAIN';
  if (offered.includes('LOGIN')) return 'LOGIN';
  throw new Error(
    `SMTP server ${where} offers no AUTH PLAIN or LOGIN on this connection (offered: ${offered.join(' ') || 'none'}). Servers often allow authentication only over TLS: use STARTTLS or Direct SSL/TLS, or turn off authentication.`,
  );
}
