select E'line one\
line two; still';
select 'multi
line; string';
