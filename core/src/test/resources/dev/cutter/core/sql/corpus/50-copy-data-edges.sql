create temp table e (a int, b text);
copy e from stdin;
1	crlf
2	\N
\.
copy e from stdin; select 'open
3	same line
\.
string' as s; copy e (a) from stdin;
4
\.
5
\.
copy e from stdin with (format csv); select 1
6,"quoted

lines"
\.

+ 1;
select count(*) from e;
copy e from stdin;
7	no end marker
8	at end of file
