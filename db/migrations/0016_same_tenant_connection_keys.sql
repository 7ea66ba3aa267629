CREATE UNIQUE INDEX "integration_connections_tenant_id_uq" ON "integration_connections" USING btree ("tenant_id","id");--> statement-breakpoint
ALTER TABLE "connection_health_checks" DROP CONSTRAINT "connection_health_checks_connection_id_integration_connections_id_fk";
--> statement-breakpoint
ALTER TABLE "connection_transitions" DROP CONSTRAINT "connection_transitions_connection_id_integration_connections_id_fk";
--> statement-breakpoint
ALTER TABLE "external_accounts" DROP CONSTRAINT "external_accounts_connection_id_integration_connections_id_fk";
--> statement-breakpoint
ALTER TABLE "connection_health_checks" ADD CONSTRAINT "connection_health_checks_connection_fk" FOREIGN KEY ("tenant_id","connection_id") REFERENCES "public"."integration_connections"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "connection_transitions" ADD CONSTRAINT "connection_transitions_connection_fk" FOREIGN KEY ("tenant_id","connection_id") REFERENCES "public"."integration_connections"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "external_accounts" ADD CONSTRAINT "external_accounts_connection_fk" FOREIGN KEY ("tenant_id","connection_id") REFERENCES "public"."integration_connections"("tenant_id","id") ON DELETE cascade ON UPDATE no action;
