CREATE TABLE "task_run_attempts" (
	"run_id" text NOT NULL,
	"number" integer NOT NULL,
	"status" text NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone DEFAULT now() NOT NULL,
	"error" jsonb,
	"retry_delay_ms" integer,
	CONSTRAINT "task_run_attempts_run_id_number_pk" PRIMARY KEY("run_id","number")
);
