-- The exact inverse of grant.sql.
REVOKE SELECT ON sales.invoice FROM reporting;
