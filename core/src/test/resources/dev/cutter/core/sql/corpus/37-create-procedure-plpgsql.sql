create procedure bump(inout n int)
language plpgsql
as $$
begin
  n := n + 1;
end;
$$;
call bump(1);
create or replace procedure noop() language plpgsql as 'begin null; end';
call noop();
