// Generic webhook channel: the notification as a JSON POST, optionally with a Bearer token, for
// people who route it to Gotify, Discord, Slack, Home Assistant and the like. Also home of the small
// fetch helpers the ntfy channel shares.

export interface WebhookConfig {
  url: string;
  token?: string;
}

/** fetch() reports network failures as "fetch failed" with the real reason in `cause`. */
export function networkReason(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'timeout';
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
}

/** The start of a response body, for error messages; never throws. */
export async function bodySnippet(res: Response, max = 300): Promise<string> {
  const text = await res.text().catch(() => '');
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** Everything before the path: error messages name the server without leaking a secret path. */
export function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

export function bearer(token: string | undefined): Record<string, string> {
  return token?.trim() ? { Authorization: `Bearer ${token.trim()}` } : {};
}

export async function sendWebhook(config: WebhookConfig, payload: object, options: { timeoutMs?: number } = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  if (!config.url?.trim()) throw new Error('Webhook URL is required');
  const origin = originOf(config.url);
  let res: Response;
  try {
    res = await fetch(config.url.trim(), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json; charset=utf-8', ...bearer(config.token) },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const reason = networkReason(err);
    const message =
      reason === 'timeout'
        ? `Webhook ${origin} did not answer within ${timeoutMs / 1000} s`
        : `Could not reach webhook ${origin}: ${reason}`;
    throw new Error(message, { cause: err });
  }
  if (!res.ok) {
    const body = await bodySnippet(res);
    throw new Error(`Webhook ${origin} answered ${res.status} ${res.statusText}${body ? ` - ${body}` : ''}`);
  }
  await res.body?.cancel(); // nothing to read; free the connection
}
