select 1::text, '2'::int;
select arr[1:2] from (select array[1,2,3] as arr) s;
select 'a:b', ':c';
select x::numeric(10,2) from (values (1)) v(x);
