create function tagged() returns text language plpgsql as $body$
begin
  return $$inner; dollar$$ || $x$ and $junk$ inside $x$;
end
$body$;
select tagged();
select $a$ one $junk$a$ two $a$ as t;
select $_x1$ ; $_x$; $_x1$;
