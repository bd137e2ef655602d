-- Sandbox only (dry-run): the schema as it stands before the change, owned by gov_owner.
-- gov_app gets USAGE only, as on the target: the change cannot create its tables as gov_app.
CREATE SCHEMA governance AUTHORIZATION gov_owner;
GRANT USAGE ON SCHEMA governance TO gov_reader, gov_app;

SET ROLE gov_owner;
CREATE TABLE governance.registry_meta (
  key   text PRIMARY KEY,
  value text NOT NULL
);
INSERT INTO governance.registry_meta (key, value) VALUES ('schema_version', '1');
RESET ROLE;
