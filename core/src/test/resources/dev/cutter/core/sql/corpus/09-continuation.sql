select 'foo'
'bar' as joined;
select 'one' -- comment between
  'two';
select 'x'    'y';
select U&'d\0061t\+000061'
'!' as u;
