-- Sandbox only (dry-run): roles and schema as they stand on the target before the change.
CREATE ROLE sales_owner LOGIN;
CREATE ROLE reporting NOLOGIN;
CREATE SCHEMA sales AUTHORIZATION sales_owner;
GRANT USAGE ON SCHEMA sales TO reporting;

SET ROLE sales_owner;
CREATE TABLE sales.customer (
  id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL
);
CREATE TABLE sales.invoice (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES sales.customer (id),
  total_cents bigint NOT NULL CHECK (total_cents >= 0)
);
RESET ROLE;
