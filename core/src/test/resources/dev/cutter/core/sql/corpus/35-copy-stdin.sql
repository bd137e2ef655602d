create table c (a int, b text);
copy c (a, b) from stdin;
1	one; with a semicolon
2	'two'
\.
select count(*) from c;
