// The portal API over fetch: JSON in and out, the session's CSRF token on every request
// that changes something, and errors as ApiError carrying the server's message and field.
let csrfToken = '';
let sessionEnded = null;

export class ApiError extends Error {
  constructor(status, message, field) {
    super(message);
    this.status = status;
    this.field = field;
  }
}

export function setCsrfToken(token) {
  csrfToken = token || '';
}

// Called on any 401 while logged in: the session expired or was ended elsewhere, and
// whatever the page was doing (a form being saved) cannot go on without a new login.
export function onSessionEnded(handler) {
  sessionEnded = handler;
}

export async function request(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') headers['X-CSRF-Token'] = csrfToken;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    // The browser's own words ("Failed to fetch") tell a manager nothing.
    throw new ApiError(0, 'The server could not be reached. Check the network connection '
      + 'and try again.');
  }
  if (response.status === 204) return null;
  const json = await response.json().catch(() => null);
  if (!response.ok) {
    const error = json && json.error ? json.error : {};
    if (response.status === 401 && sessionEnded) sessionEnded();
    // An answer without our JSON error comes from something between us and the server
    // (a proxy, a restart).
    const fallback = response.status >= 500
      ? `The server could not answer (HTTP ${response.status}). Try again in a moment.`
      : `The request was refused (HTTP ${response.status}).`;
    throw new ApiError(response.status, error.message || fallback, error.field);
  }
  return json;
}

export const get = (path) => request('GET', path);
