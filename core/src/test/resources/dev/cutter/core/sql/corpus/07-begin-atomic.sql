create table items (id int, qty int);
create function total_qty() returns bigint
language sql
begin atomic
  select sum(qty) from items;
end;
create or replace procedure add_item(i int, q int)
language sql
begin atomic
  insert into items values (i, q);
  insert into items values (i + 1, case when q > 1 then q - 1 else 0 end);
end;
call add_item(1, 3);
select total_qty();
