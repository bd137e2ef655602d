-- A read-only observer: SELECT on two curated views, nothing on the tables behind them.
CREATE ROLE ops_observer NOLOGIN;

CREATE VIEW ops.job_status AS
  SELECT j.name, j.schedule, max(r.started_at) AS last_started, bool_and(r.succeeded) AS all_succeeded
  FROM ops.job j LEFT JOIN ops.job_run r ON r.job_id = j.id
  GROUP BY j.name, j.schedule;

CREATE VIEW ops.recent_failure AS
  SELECT j.name, r.started_at, r.finished_at
  FROM ops.job_run r JOIN ops.job j ON j.id = r.job_id
  WHERE r.succeeded IS FALSE AND r.started_at > now() - interval '7 days';

GRANT USAGE ON SCHEMA ops TO ops_observer;
GRANT SELECT ON ops.job_status, ops.recent_failure TO ops_observer;
