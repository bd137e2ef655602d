create table cg (a int, b text);
copy cg from stdin;
1	first
\.
\g
2	sent again by \g, its data after the \g line
3	and a semicolon;
\.
\gx
4	x
\.
copy cg from stdin \g
5	ended by \g
\.
select count(*) from cg;
