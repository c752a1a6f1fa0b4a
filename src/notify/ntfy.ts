// ntfy channel (spec 03 §8.1): one POST per message, title/priority/tags as query parameters so any
// Unicode survives, the message as a UTF-8 text body.
import { setTimeout as sleep } from 'node:timers/promises';
import { bearer, bodySnippet, networkReason, originOf } from './webhook.ts';

export interface NtfyConfig {
  url: string;
  topic: string;
  accessToken?: string;
}

export interface NtfyMessage {
  title: string;
  message: string;
  /** max, high, default, low, min (passed through). */
  priority: string;
  /** The template's comma-separated tags, unchanged. */
  tags: string;
  /** Optional click URL. The reference never sends one; templates do not produce one. */
  click?: string;
}

export interface NtfyOptions {
  /** Production sends try 5 times on network errors (§8.1); test sends pass 1. */
  attempts?: number;
  retryDelayMs?: number;
  timeoutMs?: number;
}

/** `<url without one trailing "/">/<topic>?title=…&priority=…&tags=…`, blank parameters left out. */
export function ntfyPublishUrl(config: NtfyConfig, msg: NtfyMessage): string {
  const params = new URLSearchParams();
  for (const key of ['title', 'priority', 'tags', 'click'] as const) {
    const value = msg[key];
    if (value?.trim()) params.set(key, value);
  }
  const query = params.size > 0 ? `?${params}` : '';
  return `${config.url.trim().replace(/\/$/, '')}/${encodeURIComponent(config.topic.trim())}${query}`;
}

/** The §8.1 wording for a request that never got an answer, plus where and why. */
function networkError(err: unknown, url: string): Error {
  const reason = networkReason(err);
  let text: string;
  if (/ENOTFOUND|EAI_AGAIN/.test(reason)) {
    text = 'Failed to resolve NTFY server hostname. Please check your NTFY URL configuration.';
  } else if (/ECONNREFUSED/.test(reason)) {
    text = 'Cannot connect to NTFY server. Please verify the server is running and accessible.';
  } else if (/timeout|ETIMEDOUT|UND_ERR_CONNECT_TIMEOUT/i.test(reason)) {
    text = 'Connection to NTFY server timed out. Please check your network connection and server status.';
  } else if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL|certificate/i.test(reason)) {
    text = 'SSL/TLS certificate error when connecting to NTFY server. Please check your server certificate configuration.';
  } else {
    text = `Network error when sending notification: ${reason}`;
  }
  return new Error(`${text} (${originOf(url)}: ${reason})`, { cause: err });
}

/** §8.1 wording for a non-2xx answer; ntfy explains itself in a JSON body. */
async function httpError(res: Response): Promise<Error> {
  const body = await bodySnippet(res);
  let json: { code?: unknown; error?: unknown } | undefined;
  try {
    json = JSON.parse(body);
  } catch {
    // not JSON: fall through to the status line
  }
  if (json?.code === 42901) {
    return new Error(
      'Notification service is temporarily unavailable due to rate limiting. Please try again later or upgrade your notification service plan.',
    );
  }
  if (typeof json?.error === 'string') return new Error(`Notification service error: ${json.error} (HTTP ${res.status})`);
  return new Error(`Failed to send notification to NTFY: ${res.status} ${res.statusText}${body ? ` - ${body}` : ''}`);
}

/** Publishes one message. Network failures are retried; an HTTP error answer is not. */
export async function sendNtfy(config: NtfyConfig, msg: NtfyMessage, options: NtfyOptions = {}): Promise<void> {
  const { attempts = 5, retryDelayMs = 3000, timeoutMs = 20_000 } = options;
  if (!config.url?.trim() || !config.topic?.trim()) throw new Error('NTFY URL and topic are required');
  const url = ntfyPublishUrl(config, msg);
  for (let attempt = 1; ; attempt++) {
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'text/plain; charset=utf-8', ...bearer(config.accessToken) },
        body: msg.message,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      if (attempt >= attempts) throw networkError(err, url);
      await sleep(retryDelayMs);
      continue;
    }
    if (!res.ok) throw await httpError(res);
    await res.body?.cancel();
    return;
  }
}
