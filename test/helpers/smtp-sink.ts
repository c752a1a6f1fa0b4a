// A real SMTP server (npm smtp-server) on 127.0.0.1 that keeps what it receives, plus a small,
// independent MIME reader so tests check what a mail client would see.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { SMTPServer, type SMTPServerAuthenticationMethod } from 'smtp-server';
import { tempDir } from './daemon.ts';

export interface ReceivedMail {
  from: string;
  to: string[];
  /** Message source as received (dot-stuffing already undone by the server). */
  raw: string;
  /** TLS was active when the message was sent (implicit TLS or after STARTTLS). */
  secure: boolean;
  /** Username that authenticated, if any. */
  user?: string;
}

export interface AuthAttempt {
  method: string;
  username: string;
  accepted: boolean;
}

export interface SmtpSink {
  host: '127.0.0.1';
  port: number;
  messages: ReceivedMail[];
  auths: AuthAttempt[];
  close(): Promise<void>;
}

export interface SmtpSinkOptions {
  /** 'starttls': offers STARTTLS; 'implicit': TLS from the first byte; 'none' (default): no TLS. */
  tls?: 'none' | 'starttls' | 'implicit';
  /** Require AUTH with these credentials; `methods` defaults to PLAIN and LOGIN. */
  auth?: { username: string; password: string; methods?: SMTPServerAuthenticationMethod[] };
}

let cert: { key: string; cert: string } | undefined;

/** A throw-away self-signed certificate for CN=localhost, made once per process; never stored. */
export function selfSignedCert(): { key: string; cert: string } {
  if (!cert) {
    const dir = tempDir('duplistatus-cert-');
    try {
      const [k, c] = [path.join(dir, 'key.pem'), path.join(dir, 'cert.pem')];
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-days', '1', '-keyout', k, '-out', c], {
        stdio: 'ignore',
      });
      cert = { key: readFileSync(k, 'utf8'), cert: readFileSync(c, 'utf8') };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return cert;
}

export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const tls = options.tls ?? 'none';
  const auth = options.auth;
  const messages: ReceivedMail[] = [];
  const auths: AuthAttempt[] = [];
  const server = new SMTPServer({
    ...(tls === 'none' ? {} : selfSignedCert()),
    secure: tls === 'implicit',
    hideSTARTTLS: tls !== 'starttls',
    disabledCommands: [...(tls === 'none' ? ['STARTTLS'] : []), ...(auth ? [] : ['AUTH'])],
    // A plain sink with AUTH lets tests cover "plain + AUTH"; smtp-server hides AUTH without TLS otherwise.
    allowInsecureAuth: true,
    authOptional: !auth,
    authMethods: auth?.methods ?? ['PLAIN', 'LOGIN'],
    logger: false,
    closeTimeout: 200, // close() waits this long for sessions a failed test left open
    onAuth(attempt, _session, callback) {
      const accepted = !!auth && attempt.username === auth.username && attempt.password === auth.password;
      auths.push({ method: attempt.method, username: attempt.username ?? '', accepted });
      if (accepted) callback(null, { user: attempt.username });
      else callback(Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const { mailFrom, rcptTo } = session.envelope;
        messages.push({
          from: mailFrom ? mailFrom.address : '',
          to: rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          secure: session.secure,
          user: session.user,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  server.on('error', () => {}); // client-side failures (bad TLS, aborted sessions) are the tests' business
  const { port } = server.server.address() as AddressInfo;
  return {
    host: '127.0.0.1',
    port,
    messages,
    auths,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface ParsedMail {
  /** Lower-case header name → unfolded raw value (last one wins). */
  headers: Record<string, string>;
  subject: string;
  from: string;
  text: string;
  html: string;
}

/** RFC 2047 decoding; adjacent encoded words are joined before UTF-8 decoding (RFC 2047 §6.2). */
export function decodeWords(value: string): string {
  return value
    .replace(/(\?=)\s+(?==\?)/g, '$1')
    .replace(/(?:=\?UTF-8\?([BQ])\?([^?]*)\?=)+/gi, (run) => {
      const bytes = [...run.matchAll(/=\?UTF-8\?([BQ])\?([^?]*)\?=/gi)].map(([, enc, data]) =>
        enc.toUpperCase() === 'B'
          ? Buffer.from(data, 'base64')
          : Buffer.from(data.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_, h) => String.fromCharCode(parseInt(h, 16))), 'latin1'),
      );
      return Buffer.concat(bytes).toString('utf8');
    });
}

export function decodeQuotedPrintable(body: string): string {
  const binary = body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h) => String.fromCharCode(parseInt(h, 16)));
  return Buffer.from(binary, 'latin1').toString('utf8');
}

function splitHead(source: string): { headers: Record<string, string>; body: string } {
  const end = source.indexOf('\r\n\r\n');
  const head = source.slice(0, end).replace(/\r\n[ \t]/g, ' ');
  const headers: Record<string, string> = {};
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body: source.slice(end + 4) };
}

/** Reads a multipart/alternative (or single-part) message built with QP or base64 parts. */
export function parseMail(raw: string): ParsedMail {
  const { headers, body } = splitHead(raw);
  const parts: Record<string, string> = {};
  const boundary = /boundary="?([^";]+)"?/.exec(headers['content-type'] ?? '')?.[1];
  const sections = boundary ? body.split(`--${boundary}`).slice(1, -1).map((s) => s.replace(/^\r\n/, '')) : [raw];
  for (const section of sections) {
    const { headers: h, body: b } = splitHead(section);
    const content = b.replace(/\r\n$/, '');
    const encoding = (h['content-transfer-encoding'] ?? '').toLowerCase();
    const decoded =
      encoding === 'quoted-printable'
        ? decodeQuotedPrintable(content)
        : encoding === 'base64'
          ? Buffer.from(content, 'base64').toString('utf8')
          : content;
    parts[(h['content-type'] ?? 'text/plain').split(';')[0].trim().toLowerCase()] = decoded.replace(/\r\n/g, '\n');
  }
  return {
    headers,
    subject: decodeWords(headers['subject'] ?? ''),
    from: decodeWords(headers['from'] ?? ''),
    text: parts['text/plain'] ?? '',
    html: parts['text/html'] ?? '',
  };
}
