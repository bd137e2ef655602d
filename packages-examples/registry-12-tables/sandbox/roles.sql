-- Sandbox only (dry-run): the roles this change expects on the target, created by the sandbox administrator.
CREATE ROLE gov_owner LOGIN;
CREATE ROLE gov_reader NOLOGIN;
