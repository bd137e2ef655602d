

select

1;

select '

kept in a string';

select $$

kept in a dollar quote$$;
select /*

kept in a comment */ 2;
