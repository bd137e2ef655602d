create table orders (id int primary key, customer text, total numeric, created date);
create index orders_customer_idx on orders (customer) where total > 0;
create view big_orders as
  select id, customer, total
  from orders
  where total > 1000 -- the threshold ; finance picked it
  order by total desc;
comment on view big_orders is 'orders above 1000; see finance';
create materialized view order_totals as select customer, sum(total) from orders group by 1 with no data;
