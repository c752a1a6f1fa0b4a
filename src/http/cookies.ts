// The sessionId cookie (decision 12): HttpOnly, SameSite=Lax, Path=/, Secure only when asked.
import type { Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';

export function setSessionCookie(c: Context, name: 'sessionId' | 'session', id: string, maxAgeSeconds: number, secure: boolean) {
  setCookie(c, name, id, { httpOnly: true, sameSite: 'Lax', path: '/', maxAge: maxAgeSeconds, secure });
}

export function clearSessionCookie(c: Context, name: 'sessionId' | 'session') {
  deleteCookie(c, name, { path: '/' });
}
