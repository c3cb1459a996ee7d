ALTER TABLE `customer_raw_event` ADD `order_id` text;--> statement-breakpoint
UPDATE `customer_raw_event` SET `order_id` = `payload` ->> '$.orderId' WHERE `payload` ->> '$.orderId' IS NOT NULL;--> statement-breakpoint
CREATE INDEX `customer_raw_event_brand_order_idx` ON `customer_raw_event` (`brand_id`,`order_id`) WHERE order_id IS NOT NULL;