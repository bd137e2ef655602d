-- Sandbox only (dry-run): the operations schema as it stands before the change.
-- ops_owner owns the schema and may create roles (the change creates the observer role).
CREATE ROLE ops_owner LOGIN CREATEROLE;
CREATE SCHEMA ops AUTHORIZATION ops_owner;

SET ROLE ops_owner;
CREATE TABLE ops.job (
  id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name     text NOT NULL UNIQUE,
  schedule text NOT NULL
);
CREATE TABLE ops.job_run (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  job_id      bigint NOT NULL REFERENCES ops.job (id),
  started_at  timestamptz NOT NULL,
  finished_at timestamptz,
  succeeded   boolean,
  log_excerpt text            -- may hold sensitive output: observers never see it
);
RESET ROLE;
