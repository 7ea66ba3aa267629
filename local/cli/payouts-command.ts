import type { Command } from "commander";
import { requireId } from "./ids.ts";
import { emit } from "./output.ts";
import { withDb } from "./with-db.ts";

const defaultActor = () => `cli:${process.env.USER ?? "operator"}`;

export function registerPayoutsCommand(program: Command): void {
  const payouts = program.command("payouts").description("payout batches: approve or reject");
  payouts
    .command("approve <batchId>")
    .description("approve a batch awaiting approval (recorded with who and when) and start paying it")
    .option("--by <actor>", "who approves (recorded)", defaultActor())
    .option("--json", "print JSON")
    .action(async (batchId: string, opts: { by: string; json?: boolean }) => {
      requireId(batchId, "payout batch", "switchboard runs list --task payouts-prepare-batch --json");
      const [{ batchTenant }, { approvePayoutBatch }, { localDeps }] = await Promise.all([
        import("../../src/payouts/batch-tenant.ts"),
        import("../../src/payouts/approve-payout-batch.ts"),
        import("../local-deps.ts"),
      ]);
      const result = await withDb(async (h) => {
        const tenantId = await batchTenant(h.db, batchId);
        return approvePayoutBatch((await localDeps(h.db)).deps, tenantId, batchId, opts.by);
      });
      emit(
        opts.json,
        result,
        () => `${batchId}: approved by ${result.approvedBy}; paying (run ${result.runId})`,
      );
    });
  payouts
    .command("reject <batchId>")
    .description("reject a batch awaiting approval: cancel it and release its reservations")
    .option("--by <actor>", "who rejects (recorded)", defaultActor())
    .option("--note <text>", "why")
    .option("--json", "print JSON")
    .action(async (batchId: string, opts: { by: string; note?: string; json?: boolean }) => {
      requireId(batchId, "payout batch", "switchboard runs list --task payouts-prepare-batch --json");
      const [{ batchTenant }, { rejectBatch }] = await Promise.all([
        import("../../src/payouts/batch-tenant.ts"),
        import("../../src/payouts/reject-batch.ts"),
      ]);
      const result = await withDb(async (h) =>
        rejectBatch({ db: h.db }, await batchTenant(h.db, batchId), batchId, opts.by, opts.note),
      );
      emit(
        opts.json,
        result,
        () => `${batchId}: rejected by ${opts.by}; ${result.released} reservations released`,
      );
    });
}
