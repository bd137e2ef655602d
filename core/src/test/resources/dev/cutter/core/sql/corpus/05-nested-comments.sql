/* outer /* inner ; */ still a comment ; */ select 1;
select /* a ; /* b ; */ c ; */ 2;
/**/ select 3; /***/
select 4 /* trailing ; */;
