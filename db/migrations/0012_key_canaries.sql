CREATE TABLE "key_canaries" (
	"key_version" text PRIMARY KEY NOT NULL,
	"canary" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
