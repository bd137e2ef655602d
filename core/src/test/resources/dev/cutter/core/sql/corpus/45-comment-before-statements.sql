/* header comment */
-- line comment
create table h (id int); /* between */ create table h2 (id int);
   /* indented */ select 1;
