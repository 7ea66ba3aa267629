CREATE TABLE "provider_alerts" (
	"provider" text PRIMARY KEY NOT NULL,
	"state" text NOT NULL,
	"reason" text,
	"incident_id" text,
	"changed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "connection_transitions" ADD COLUMN "incident_id" text;