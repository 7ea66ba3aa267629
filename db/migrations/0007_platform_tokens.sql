CREATE TABLE "platform_tokens" (
	"provider" text NOT NULL,
	"credential_hash" text NOT NULL,
	"access_token" text NOT NULL,
	"key_version" text NOT NULL,
	"token_version" integer DEFAULT 1 NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "platform_tokens_provider_credential_hash_pk" PRIMARY KEY("provider","credential_hash")
);
