create function grade(score int) returns text
language sql
begin atomic
  select case
           when score >= 90 then 'a'
           when score >= 80 then case when score >= 85 then 'b+' else 'b' end
           else 'c'
         end;
end;
select grade(87);
