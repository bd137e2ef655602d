-- leading comment ; with a semicolon
-- another
select 1; -- after the statement ; dropped
select -- inside ; kept
  2;
select 3 -- ends at newline ;
;
-- trailing comment at the end of the file
