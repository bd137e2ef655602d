-- Sandbox only (dry-run): schema app and its roles, before the change. There is deliberately
-- no table app.legacy_flag: statement 7 of the artifact reads from it.
CREATE ROLE app_owner LOGIN;
CREATE ROLE app_reader NOLOGIN;
CREATE SCHEMA app AUTHORIZATION app_owner;
GRANT USAGE ON SCHEMA app TO app_reader;

SET ROLE app_owner;
CREATE TABLE app.setting (
  key   text PRIMARY KEY,
  value text NOT NULL
);
RESET ROLE;
