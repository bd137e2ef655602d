-- Rollback of create-registry.sql: drops the twelve tables, dependants first.
-- Runs only when the precondition holds (every table is empty), so no data is lost.
DROP TABLE governance.registry_attestation;
DROP TABLE governance.registry_evidence;
DROP TABLE governance.registry_exception;
DROP TABLE governance.registry_finding;
DROP TABLE governance.registry_review;
DROP TABLE governance.registry_risk;
DROP TABLE governance.registry_policy;
DROP TABLE governance.registry_control;
DROP TABLE governance.registry_dataset;
DROP TABLE governance.registry_system;
DROP TABLE governance.registry_domain;
DROP TABLE governance.registry_owner;
-- create-registry.sql granted SELECT on every table of the schema, registry_meta (which it did not create) too.
REVOKE SELECT ON governance.registry_meta FROM gov_reader;
