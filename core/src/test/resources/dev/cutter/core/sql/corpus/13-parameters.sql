prepare p(int, text) as select $1 + 1, $2 || ';';
execute p(1, 'a');
deallocate p;
prepare q(int) as select $1$a$ ; $a$;
