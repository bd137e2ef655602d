create table nt (id int);
create index concurrently nt_idx on nt (id);
drop index concurrently nt_idx;
vacuum (analyze) nt;
reindex table concurrently nt;
