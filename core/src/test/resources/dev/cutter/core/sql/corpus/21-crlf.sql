select 1
;
select

2;
-- crlf comment
select 3;
