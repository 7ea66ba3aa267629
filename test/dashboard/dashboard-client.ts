/** A browser's view of the dashboard over plain HTTP: a session cookie, its CSRF token, form posts. */
export interface DashboardSession {
  cookie: string;
  csrf: string;
}

export async function openSession(baseUrl: string): Promise<DashboardSession> {
  const response = await fetch(`${baseUrl}/dashboard`);
  const cookie = response.headers.get("set-cookie")?.split(";")[0];
  const csrf = (await response.text()).match(/<meta name="csrf-token" content="([^"]+)">/)?.[1];
  if (!cookie || !csrf) throw new Error("the dashboard started no session");
  return { cookie, csrf };
}

/** A form post as a same-origin page sends it (cookie, Origin, Sec-Fetch-Site), redirects not followed. */
export function postForm(
  baseUrl: string,
  path: string,
  fields: Record<string, string>,
  options: { session?: DashboardSession; headers?: Record<string, string>; csrf?: string | null } = {},
): Promise<Response> {
  const body = new URLSearchParams(fields);
  const csrf = options.csrf === undefined ? options.session?.csrf : options.csrf;
  if (csrf) body.set("csrf", csrf);
  return fetch(`${baseUrl}${path}`, {
    method: "POST",
    redirect: "manual",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      origin: baseUrl,
      "sec-fetch-site": "same-origin",
      ...(options.session ? { cookie: options.session.cookie } : {}),
      ...options.headers,
    },
    body,
  });
}

export const runIdOf = (response: Response): string => {
  const id = response.headers.get("location")?.match(/^\/dashboard\/runs\/([^/?]+)$/)?.[1];
  if (!id)
    throw new Error(
      `expected a redirect to a run, got ${response.status} ${response.headers.get("location")}`,
    );
  return decodeURIComponent(id);
};
