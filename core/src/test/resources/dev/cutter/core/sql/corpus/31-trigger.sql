create table audited (id int, changed_at timestamptz);
create function touch() returns trigger language plpgsql as $fn$
begin
  new.changed_at := now();
  return new;
end;
$fn$;
create trigger audited_touch before insert or update on audited
  for each row execute function touch();
insert into audited (id) values (1);
