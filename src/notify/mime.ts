// Builds the RFC 5322 / MIME source of one notification e-mail. smtp-client only speaks SMTP, so
// everything about the message itself (headers, encodings, parts) lives here.
//
// Dot-stuffing: the output never has a line that starts with "." (quoted-printable writes a leading
// dot as "=2E", headers never start with one), so the SMTP layer has nothing to stuff. That matters
// because smtp-client's data() only doubles the *first* leading dot of a message.
import { randomBytes, randomUUID } from 'node:crypto';

export interface Mailbox {
  name?: string;
  address: string;
}

export interface MailContent {
  from: Mailbox;
  to: string[];
  subject: string;
  text: string;
  html: string;
  /** Defaults to now. */
  date?: Date;
}

const CRLF = '\r\n';

// Deliberately strict: plain ASCII addr-spec without quoting or comments, so no header injection
// and no need for SMTPUTF8.
const ADDRESS = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/;

export function isValidAddress(address: string): boolean {
  return ADDRESS.test(address);
}

function assertAddress(address: string): void {
  if (!isValidAddress(address)) throw new Error(`Invalid e-mail address: "${address}"`);
}

const isPlainAscii = (s: string): boolean => /^[\x20-\x7e]*$/.test(s);

/**
 * RFC 2047 B-encoded words, each at most 75 characters, split only between code points so no
 * character is cut in half. Words are joined by a folding CRLF SP, which decoders drop.
 */
export function encodeWords(text: string): string {
  const maxBytes = 45; // 45 bytes → 60 base64 chars + 12 of "=?UTF-8?B?…?=" = 72 ≤ 75
  const words: string[] = [];
  let chunk = '';
  for (const ch of text) {
    if (chunk && Buffer.byteLength(chunk + ch) > maxBytes) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join(`${CRLF} `);
}

/** Unstructured header text (Subject): as-is when short plain ASCII, else encoded words. */
export function encodeHeaderText(text: string): string {
  const flat = text.replace(/[\r\n]+/g, ' '); // a header value is one line
  const plain = isPlainAscii(flat) && !flat.includes('=?') && flat.length <= 66;
  return plain ? flat : encodeWords(flat);
}

/** `"Name" <addr>`; a non-ASCII name becomes encoded words (which must not sit inside quotes). */
export function formatMailbox({ name, address }: Mailbox): string {
  assertAddress(address);
  const display = (name ?? '').replace(/[\r\n]+/g, ' ').trim();
  if (!display) return `<${address}>`;
  if (!isPlainAscii(display)) return `${encodeWords(display)} <${address}>`;
  return `"${display.replace(/["\\]/g, '\\$&')}" <${address}>`;
}

/** RFC 5322 date-time in UTC, e.g. `Tue, 26 Nov 2024 20:49:00 +0000`. */
export function formatDate(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

function qpLine(line: string): string {
  const bytes = Buffer.from(line, 'utf8');
  const tokens = [...bytes].map((b, i) => {
    const trailingSpace = (b === 0x20 || b === 0x09) && i === bytes.length - 1;
    const literal = (b >= 0x21 && b <= 0x7e && b !== 0x3d) || ((b === 0x20 || b === 0x09) && !trailingSpace);
    return literal ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
  });
  let out = '';
  let current = '';
  for (let token of tokens) {
    // Soft break so no line exceeds 76 characters ("=" included).
    if (current.length + token.length > 75) {
      out += `${current}=${CRLF}`;
      current = '';
    }
    if (current === '' && token === '.') token = '=2E';
    current += token;
  }
  return out + current;
}

/** Quoted-printable (RFC 2045 §6.7) of UTF-8 text; line breaks become CRLF. */
export function encodeQuotedPrintable(text: string): string {
  return text.split(/\r\n|\r|\n/).map(qpLine).join(CRLF);
}

function part(contentType: string, body: string): string {
  return [
    `Content-Type: ${contentType}; charset=utf-8`,
    'Content-Transfer-Encoding: quoted-printable',
    '',
    encodeQuotedPrintable(body),
  ].join(CRLF);
}

/** The complete message source (CRLF line ends), multipart/alternative with text and HTML parts. */
export function buildMessage(mail: MailContent): string {
  if (mail.to.length === 0) throw new Error('E-mail needs at least one recipient');
  mail.to.forEach(assertAddress);
  const domain = mail.from.address.split('@')[1];
  const boundary = `=_duplistatus_${randomBytes(12).toString('hex')}`; // "=_" never occurs in QP text
  return [
    `From: ${formatMailbox(mail.from)}`,
    `To: ${mail.to.join(`,${CRLF} `)}`,
    `Subject: ${encodeHeaderText(mail.subject)}`,
    `Date: ${formatDate(mail.date ?? new Date())}`,
    `Message-ID: <${randomUUID()}@${domain}>`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    part('text/plain', mail.text),
    `--${boundary}`,
    part('text/html', mail.html),
    `--${boundary}--`,
    '',
  ].join(CRLF);
}
