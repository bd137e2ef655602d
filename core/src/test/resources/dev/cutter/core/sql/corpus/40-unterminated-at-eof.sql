select 1;
select 'never closed;
select 2;
