create table "semi;colon" ("quote""d" int, "$$" int, "--not comment" int);
insert into "semi;colon" values (1, 2, 3);
select "quote""d", "$$", "--not comment" from "semi;colon";
