-- Change 2041: order archive
BEGIN;

create schema if not exists archive;

create table archive.orders (
  id bigint primary key,
  note text default 'n/a; none', -- a comment ; inside
  total numeric(12,2) not null
);

/* the function keeps its semicolons */
create or replace function archive.move(p_before date) returns bigint
language plpgsql as $fn$
declare
  n bigint;
begin
  insert into archive.orders select id, note, total from public.orders where created < p_before;
  get diagnostics n = row_count;
  return n;
end;
$fn$;

create function archive.total() returns numeric
language sql
begin atomic
  select sum(total) from archive.orders;
end;

comment on table archive.orders is E'archived orders\nsee \'runbook\'';
COMMIT;
