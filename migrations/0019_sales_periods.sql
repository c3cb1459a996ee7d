CREATE TABLE `dashboard_state` (
	`brand_id` integer PRIMARY KEY NOT NULL,
	`dirty_from` integer,
	`time_zone` text,
	`built_at` integer,
	FOREIGN KEY (`brand_id`) REFERENCES `brand`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `sales_period` (
	`brand_id` integer NOT NULL,
	`kind` text NOT NULL,
	`start` integer NOT NULL,
	`revenue` real DEFAULT 0 NOT NULL,
	`refunds` real DEFAULT 0 NOT NULL,
	`orders` integer DEFAULT 0 NOT NULL,
	`buyers` integer DEFAULT 0 NOT NULL,
	`new_buyers` integer DEFAULT 0 NOT NULL,
	`returning_buyers` integer DEFAULT 0 NOT NULL,
	`walk_in_orders` integer DEFAULT 0 NOT NULL,
	`walk_in_revenue` real DEFAULT 0 NOT NULL,
	PRIMARY KEY(`brand_id`, `kind`, `start`),
	FOREIGN KEY (`brand_id`) REFERENCES `brand`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
DROP INDEX `predictions_brand_churn_idx`;--> statement-breakpoint
CREATE INDEX `predictions_brand_churn_idx` ON `predictions` (`brand_id`,`churn_score`,`ltv_score`);--> statement-breakpoint
INSERT INTO `dashboard_state` (`brand_id`) SELECT `id` FROM `brand`;
--> statement-breakpoint
CREATE TRIGGER `sales_period_dirty_insert` AFTER INSERT ON `customer_raw_event`
WHEN NEW.`event_type` IN ('purchase', 'refund', 'cancellation')
BEGIN
	UPDATE `dashboard_state` SET `dirty_from` = min(coalesce(`dirty_from`, NEW.`occurred_at`), NEW.`occurred_at`, coalesce(
		CASE WHEN NEW.`event_type` = 'cancellation' AND NEW.`order_id` IS NOT NULL THEN (
			SELECT min(`occurred_at`) FROM `customer_raw_event`
			WHERE `brand_id` = NEW.`brand_id` AND `order_id` = NEW.`order_id` AND `event_type` = 'purchase'
		) END, NEW.`occurred_at`))
	WHERE `brand_id` = NEW.`brand_id` AND (`dirty_from` IS NULL OR `dirty_from` > NEW.`occurred_at`
		OR NEW.`event_type` = 'cancellation');
END;
--> statement-breakpoint
CREATE TRIGGER `sales_period_dirty_delete` AFTER DELETE ON `customer_raw_event`
WHEN OLD.`event_type` IN ('purchase', 'refund', 'cancellation')
BEGIN
	UPDATE `dashboard_state` SET `dirty_from` = OLD.`occurred_at`
	WHERE `brand_id` = OLD.`brand_id` AND (`dirty_from` IS NULL OR `dirty_from` > OLD.`occurred_at`);
END;
--> statement-breakpoint
CREATE TRIGGER `sales_period_dirty_update` AFTER UPDATE OF `customer_profile_id`, `event_type`, `occurred_at`, `payload`, `order_id` ON `customer_raw_event`
WHEN OLD.`event_type` IN ('purchase', 'refund', 'cancellation') OR NEW.`event_type` IN ('purchase', 'refund', 'cancellation')
BEGIN
	UPDATE `dashboard_state` SET `dirty_from` = min(OLD.`occurred_at`, NEW.`occurred_at`)
	WHERE `brand_id` = NEW.`brand_id`
		AND (`dirty_from` IS NULL OR `dirty_from` > min(OLD.`occurred_at`, NEW.`occurred_at`));
END;
