create table größe (maß text);
insert into größe values ('straße; 東京'), ($ü$ dollar; ü $ü$);
select maß from größe where maß <> 'ß';
