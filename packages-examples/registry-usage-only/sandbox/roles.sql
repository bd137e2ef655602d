-- Sandbox only (dry-run): the roles this change expects on the target, created by the sandbox administrator.
-- gov_app is the application's role: it may use schema governance but not create in it.
CREATE ROLE gov_owner LOGIN;
CREATE ROLE gov_reader NOLOGIN;
CREATE ROLE gov_app LOGIN;
