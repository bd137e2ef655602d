select 'a\'; select 2;
select 'c:\temp\'; select 'it''s';
