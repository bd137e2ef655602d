select 1;;
;
select 2; ; ;
/* only a comment */;
select 3;
