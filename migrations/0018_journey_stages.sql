CREATE TABLE `customer_journey_transition` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`brand_id` integer NOT NULL,
	`profile_id` integer NOT NULL,
	`from_stage` text,
	`to_stage` text NOT NULL,
	`at` integer NOT NULL,
	`why` text NOT NULL,
	`cause` text NOT NULL,
	`event_id` integer,
	FOREIGN KEY (`brand_id`) REFERENCES `brand`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`profile_id`) REFERENCES `customer_profile`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `customer_journey_transition_profile_idx` ON `customer_journey_transition` (`profile_id`,`at`);--> statement-breakpoint
CREATE INDEX `customer_journey_transition_brand_at_idx` ON `customer_journey_transition` (`brand_id`,`at`);--> statement-breakpoint
CREATE TABLE `journey_shop` (
	`brand_id` integer PRIMARY KEY NOT NULL,
	`thresholds` text NOT NULL,
	`distributions` text NOT NULL,
	`customers` integer DEFAULT 0 NOT NULL,
	`computed_at` integer NOT NULL,
	`took_ms` integer DEFAULT 0 NOT NULL,
	`import_pending` integer DEFAULT false NOT NULL,
	`recompute_due` integer DEFAULT false NOT NULL,
	FOREIGN KEY (`brand_id`) REFERENCES `brand`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
ALTER TABLE `customer_journey` ADD `lapsed` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `customer_journey` ADD `engagement_part` real DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `customer_journey` ADD `value_part` real DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `customer_journey` ADD `channels_part` real DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `customer_journey` ADD `recency_part` real DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `customer_journey` ADD `facts` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE `customer_journey` ADD `stage_why` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `customer_journey` ADD `next_milestone` text;