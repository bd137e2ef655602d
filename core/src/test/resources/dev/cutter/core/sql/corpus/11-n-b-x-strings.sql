select N'national; string', n'lower';
select B'1010' as bits, b'0;1' as bits2;
select X'1F', x'a;b';
