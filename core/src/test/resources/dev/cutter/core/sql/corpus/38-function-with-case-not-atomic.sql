create function pick(x int) returns text language sql as $$
  select case when x > 0 then 'pos' else 'neg' end
$$;
select case when 1 > 0 then 'begin' else 'end' end;
select pick(1);
