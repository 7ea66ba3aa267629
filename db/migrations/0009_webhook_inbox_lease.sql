ALTER TABLE "webhook_events" ALTER COLUMN "payload" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "webhook_events" ADD COLUMN "raw_body" "bytea";--> statement-breakpoint
ALTER TABLE "webhook_events" ADD COLUMN "lease_owner" text;--> statement-breakpoint
ALTER TABLE "webhook_events" ADD COLUMN "lease_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "webhook_events" ADD CONSTRAINT "webhook_events_body_ck" CHECK ("webhook_events"."payload" is not null or "webhook_events"."raw_body" is not null);