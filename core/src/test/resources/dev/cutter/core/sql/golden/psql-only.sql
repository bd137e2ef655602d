\set ON_ERROR_STOP on
create table t (a int, b text);
copy t (a, b) from stdin;
1	one
2	two
\.
select count(*) from t; \echo counted
\i other.sql
