-- a PL/pgSQL function whose body is full of semicolons
create table account (id int primary key, balance numeric not null default 0);

create or replace function credit(p_id int, p_amount numeric) returns numeric
language plpgsql as $$
declare
  v numeric;
begin
  if p_amount <= 0 then
    raise exception 'amount must be positive; got %', p_amount;
  end if;
  update account set balance = balance + p_amount where id = p_id returning balance into v;
  return v;
end;
$$;

insert into account values (1, 10);
select credit(1, 5);
