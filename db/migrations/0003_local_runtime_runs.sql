ALTER TABLE "task_batches" ADD COLUMN "parent_run_id" text;--> statement-breakpoint
ALTER TABLE "task_runs" ADD COLUMN "metadata" jsonb;