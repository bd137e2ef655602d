create table t$x (a$ int, b$$c int);
insert into t$x values (1, 2);
select a$, b$$c from t$x;
select 1 as x$$;
drop table t$x;
