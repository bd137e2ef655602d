create function add1(int) returns int language sql immutable as 'select $1 + 1';
create function add2(a int) returns int language sql return a + 2;
create function quoted_body() returns text language sql as $$ select 'x;y' $$;
select add1(1), add2(1), quoted_body();
