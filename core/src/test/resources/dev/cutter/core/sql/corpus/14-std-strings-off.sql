set standard_conforming_strings = off;
select 'it\'s; escaped' as a;
select 'back\\slash;';
set standard_conforming_strings = on;
select 'a\'; select 'b';
