-- Inverse of feature-flags.sql, should it ever have committed.
DROP VIEW app.enabled_flag;
DROP TABLE app.feature_flag;
