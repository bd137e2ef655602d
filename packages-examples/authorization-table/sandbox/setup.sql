-- Sandbox only (dry-run): schema access and the principal table the change refers to.
CREATE ROLE acl_owner LOGIN;
CREATE SCHEMA access AUTHORIZATION acl_owner;

SET ROLE acl_owner;
CREATE TABLE access.principal (
  id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL UNIQUE
);
INSERT INTO access.principal (name) VALUES ('batch-exporter'), ('support-desk');
RESET ROLE;
