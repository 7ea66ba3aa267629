/** Task ids of the payouts capability (the task files in trigger/payouts/ use the same strings). */
export const PAYOUT_TASKS = {
  executeBatch: "payouts-execute-batch",
  executeItem: "payouts-execute-item",
  pollPayPal: "payouts-poll-paypal",
  prepareBatch: "payouts-prepare-batch",
} as const;

export const payoutTags = (tenantId: string, batchId?: string): string[] =>
  batchId ? [`tenant:${tenantId}`, `batch:${batchId}`] : [`tenant:${tenantId}`];
