DROP TABLE shop.order_event;
