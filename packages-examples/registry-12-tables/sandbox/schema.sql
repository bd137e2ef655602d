-- Sandbox only (dry-run): the schema as it stands before the change, owned by gov_owner.
CREATE SCHEMA governance AUTHORIZATION gov_owner;
GRANT USAGE ON SCHEMA governance TO gov_reader;

SET ROLE gov_owner;
CREATE TABLE governance.registry_meta (
  key   text PRIMARY KEY,
  value text NOT NULL
);
INSERT INTO governance.registry_meta (key, value) VALUES ('schema_version', '1');
RESET ROLE;
