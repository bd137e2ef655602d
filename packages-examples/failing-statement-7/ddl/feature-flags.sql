-- Feature flags, with the old flags copied in. Statement 7 fails at run time: the table it
-- copies from, app.legacy_flag, does not exist. The whole change must be rolled back.

-- 1
CREATE TABLE app.feature_flag (
  name    text PRIMARY KEY,
  enabled boolean NOT NULL DEFAULT false
);
-- 2
CREATE INDEX feature_flag_enabled_idx ON app.feature_flag (enabled);
-- 3
INSERT INTO app.feature_flag (name, enabled) VALUES ('new_checkout', false);
-- 4
INSERT INTO app.feature_flag (name, enabled) VALUES ('dark_mode', true);
-- 5
COMMENT ON TABLE app.feature_flag IS 'Switches read by the application at start-up.';
-- 6
GRANT SELECT ON app.feature_flag TO app_reader;
-- 7: fails with 42P01 undefined_table
INSERT INTO app.feature_flag (name, enabled)
  SELECT name, enabled FROM app.legacy_flag;
-- 8
CREATE VIEW app.enabled_flag AS SELECT name FROM app.feature_flag WHERE enabled;
