create function f42() returns int
language sql
begin /* a comment */ atomic
  -- a line comment ; with a semicolon
  select 42;
end;
select f42();
