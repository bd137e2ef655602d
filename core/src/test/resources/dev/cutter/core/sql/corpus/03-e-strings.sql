select E'it\'s; fine' as a, e'back\\slash;' as b;
select E'\\'; select 'after';
select E'tab\there', E'\x41\101\u0041;';
select E'doubled '' quote; \' too';
