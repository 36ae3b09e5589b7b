import type { Request } from 'express';

/** Whether the request's Origin header names this very host (what a browser sends on a same-origin fetch). */
export function isSameOrigin(req: Request): boolean {
  const origin = req.get('origin');
  if (!origin) return false;
  try {
    return new URL(origin).host === req.get('host');
  } catch {
    return false;
  }
}
