/**
 * The console's calls: same-origin fetches that carry the session cookie (the browser adds it;
 * the page never sees a token). Everything shown comes from the auditor API (/audit/fhir) and the
 * operations routes, under the signed-in user's own rights.
 */

export class SignedOut extends Error {
  constructor() {
    super('session terminée');
    this.name = 'SignedOut';
  }
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface OperationOutcomeLike {
  resourceType?: string;
  issue?: { diagnostics?: string; details?: { text?: string } }[];
}

/** What a refusal or failure says (an OperationOutcome's diagnostics), in one line. */
function messageOf(status: number, body: unknown): string {
  const outcome = body as OperationOutcomeLike;
  const texts = (outcome?.issue ?? []).map((i) => i.diagnostics ?? i.details?.text).filter(Boolean);
  return texts.length > 0 ? texts.join(' ; ') : `erreur HTTP ${status}`;
}

export async function request<T>(url: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(url, {
    ...init,
    credentials: 'same-origin',
    headers: { accept: 'application/fhir+json, application/json', ...(init.headers ?? {}) },
  });
  if (res.status === 401) throw new SignedOut();
  const text = await res.text();
  const body: unknown = text ? JSON.parse(text) : undefined;
  if (!res.ok) throw new ApiError(res.status, messageOf(res.status, body));
  return body as T;
}

export const getJson = <T>(url: string): Promise<T> => request<T>(url);

export const postJson = <T>(url: string): Promise<T> => request<T>(url, { method: 'POST' });

export interface Me {
  role: 'auditor' | 'operator' | string;
  nationalId: string;
  rpps?: string;
  profession?: string;
  finess?: string;
}

export interface BundleLike<R> {
  resourceType: 'Bundle';
  total?: number;
  link?: { relation: string; url: string }[];
  entry?: { resource?: R }[];
}

/** The path and query of a link the auditor API answered (its links point at the gateway). */
export const pathOf = (url: string): string => {
  const u = new URL(url, window.location.origin);
  return `${u.pathname}${u.search}`;
};

/**
 * Every resource of a search, following `next` links, up to `max` resources: the console never
 * asks for more than it can show (and every page it asks for is itself an audited search).
 */
export async function searchAll<R>(firstUrl: string, max: number): Promise<{ resources: R[]; truncated: boolean }> {
  const resources: R[] = [];
  let url: string | undefined = firstUrl;
  while (url) {
    const bundle: BundleLike<R> = await getJson<BundleLike<R>>(url);
    for (const e of bundle.entry ?? []) if (e.resource) resources.push(e.resource);
    const next = bundle.link?.find((l) => l.relation === 'next')?.url;
    if (resources.length >= max)
      return { resources: resources.slice(0, max), truncated: Boolean(next) || resources.length > max };
    url = next ? pathOf(next) : undefined;
  }
  return { resources, truncated: false };
}
