select 1 \; select 2;
select 'a' \; select 'b' \; select 'c';
