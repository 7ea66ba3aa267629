const LOOPBACK = /^(localhost|[a-z0-9-]+\.localhost|127(\.\d{1,3}){3}|\[::1\])(:\d+)?$/i;

/** Whether an address the server listens on is loopback (the dashboard's default and requirement). */
export function isLoopbackAddress(host: string): boolean {
  return LOOPBACK.test(host.includes(":") && !host.startsWith("[") ? `[${host}]` : host);
}

/**
 * Whether a request's Host header names this machine. A page fetched through any other name is
 * refused, so a web page whose DNS name is rebound to 127.0.0.1 cannot read the dashboard.
 */
export function isLoopbackHost(hostHeader: string | null): boolean {
  return hostHeader !== null && LOOPBACK.test(hostHeader);
}
