begin;
create index concurrently orders_total_idx on orders (total);
savepoint s1;
vacuum (analyze) orders;
alter system set work_mem = '64MB';
commit prepared 'tx1';
end;
;
select 'done' -- no semicolon at the end
