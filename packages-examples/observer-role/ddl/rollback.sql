-- Inverse of observer.sql: revoke, drop the views, then the role (which then owns nothing).
REVOKE SELECT ON ops.job_status, ops.recent_failure FROM ops_observer;
REVOKE USAGE ON SCHEMA ops FROM ops_observer;
DROP VIEW ops.recent_failure;
DROP VIEW ops.job_status;
DROP ROLE ops_observer;
