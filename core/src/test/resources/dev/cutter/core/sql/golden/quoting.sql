select E'it\'s', 'plain \', U&'\0041', $$a;b$$, $x$ $junk$x$, "semi;colon" from t;
select 1 \; select 2;
set standard_conforming_strings = off;
select 'now \'escaped\'; still one';
select 'multi
line' /* nested /* comment */ ; */ ;
