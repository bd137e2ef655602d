select 1.5e3, .5, 5., 1e-3, 1..2;
select 1e'\'; select 2';
select 3$a$; select 4 $a$;
