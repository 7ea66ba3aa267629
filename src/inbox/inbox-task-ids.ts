/** The processing task of each provider's events. */
export const INBOX_PROVIDERS = ["stripe", "plaid", "lob", "retell", "paypal"] as const;
export type InboxProvider = (typeof INBOX_PROVIDERS)[number];

export const inboxTaskId = (provider: InboxProvider): string => `inbox-process-${provider}-event`;
