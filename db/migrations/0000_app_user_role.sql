-- The application role tenant transactions switch to (SET LOCAL ROLE app_user), so row-level
-- security applies even to the table owner's connection. Roles are cluster-wide: concurrent
-- migrations of several databases on one server may race, hence the exception handler.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'app_user') THEN
    CREATE ROLE app_user NOLOGIN;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL;
END
$$;
--> statement-breakpoint
-- On PostgreSQL 16+ (Neon) a non-superuser owner needs membership to SET ROLE.
-- (pg_has_role is true for superusers, who need nothing.)
DO $$
BEGIN
  IF NOT pg_has_role(current_user, 'app_user', 'MEMBER') THEN
    EXECUTE format('GRANT app_user TO %I', current_user);
  END IF;
END
$$;
