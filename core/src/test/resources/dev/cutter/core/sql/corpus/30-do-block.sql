do $$
begin
  perform 1;
  raise notice 'done; really';
end
$$;
do language plpgsql $do$ begin perform $$x;$$; end $do$;
