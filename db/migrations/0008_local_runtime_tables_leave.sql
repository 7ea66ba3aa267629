DROP TABLE "schedule_ticks" CASCADE;--> statement-breakpoint
DROP TABLE "task_batches" CASCADE;--> statement-breakpoint
DROP TABLE "task_runs" CASCADE;