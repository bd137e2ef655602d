select U&'d\0061t\+000061' as data;
select U&'d!0061t!+000061' uescape '!' as data2;
select U&"d\0061t\+000061" from (select 1 as "data") s;
select u&'semi;colon';
