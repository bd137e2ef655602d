select 1 as a$$b;
select x$$ from (select 1 as x$$) s;
select $$ok$$;
select +$$;$$;
