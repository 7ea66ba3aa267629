ALTER TABLE "payout_items" ADD COLUMN "destination" text NOT NULL;--> statement-breakpoint
ALTER TABLE "payout_items" ADD COLUMN "submitted_at" timestamp with time zone;