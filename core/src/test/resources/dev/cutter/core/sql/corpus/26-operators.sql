select 1+/* comment */2;
select 2*-- comment
3;
select 4 --5
;
select '{1,2}'::int[] @> '{1}';
select 7 !=-1, 8<>9;
