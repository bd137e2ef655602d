select 1
\echo a meta-command inside a statement
+ 1;
select 2 \echo another, after text on the same line
;
select 3
\g
\g
select (4
\r
select 5;
\echo done \\ select 6;
