select $Tag$ text $tag$ still inside; $TAG$ $Tag$;
select 2;
