-- Tenant transactions run `SET LOCAL ROLE app_user`, which needs the SET option on the membership.
-- Since PostgreSQL 16 a non-superuser owner that created app_user (CREATEROLE, as on Neon) holds
-- ADMIN only: pg_has_role(..., 'MEMBER') is already true there while SET ROLE is refused, so
-- 0000 skipped the grant. Check the SET privilege itself (16+) and grant it with the SET option.
-- Superusers pass every check and need nothing.
DO $$
DECLARE
  modern boolean := current_setting('server_version_num')::int >= 160000;
BEGIN
  IF modern AND NOT pg_has_role(current_user, 'app_user', 'SET') THEN
    EXECUTE format('GRANT app_user TO %I WITH INHERIT FALSE, SET TRUE', current_user);
  ELSIF NOT modern AND NOT pg_has_role(current_user, 'app_user', 'MEMBER') THEN
    EXECUTE format('GRANT app_user TO %I', current_user);
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE EXCEPTION 'role % may not SET ROLE app_user and cannot grant that to itself', current_user
    USING ERRCODE = 'insufficient_privilege',
      HINT = 'As a role with ADMIN on app_user, run: GRANT app_user TO ' || quote_ident(current_user) || ' WITH SET TRUE';
END
$$;
