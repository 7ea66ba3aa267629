/** Where OAuth flows send people: built from PUBLIC_BASE_URL (callbacks) and APP_URL (return pages). */
export interface OAuthSettings {
  /** HMAC key for `state`. */
  stateSecret: string;
  /** This service's public base URL: the callback is `${publicBaseUrl}/oauth/callback/{provider}`. */
  publicBaseUrl: string;
  /** Origins a `returnUrl` may point at (the platform's app). */
  allowedReturnOrigins: string[];
  /** Where people land after connecting when no return URL was given. */
  defaultReturnUrl: string;
}

export const callbackUrl = (settings: OAuthSettings, provider: string): string =>
  `${settings.publicBaseUrl.replace(/\/+$/, "")}/oauth/callback/${encodeURIComponent(provider)}`;
