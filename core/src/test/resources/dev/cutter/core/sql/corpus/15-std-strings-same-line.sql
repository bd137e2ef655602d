set standard_conforming_strings to off; select 'still on\'; select 2;
select 'now off\'; still one string';
reset standard_conforming_strings;
select 'on again\';
