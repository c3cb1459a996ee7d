CREATE TABLE `automation_call` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`brand_id` integer NOT NULL,
	`execution_id` integer,
	`url` text NOT NULL,
	`body` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`detail` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`brand_id`) REFERENCES `brand`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`execution_id`) REFERENCES `automation_execution`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `automation_call_status_idx` ON `automation_call` (`status`);--> statement-breakpoint
CREATE TABLE `automation_decision` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`brand_id` integer NOT NULL,
	`automation_id` integer NOT NULL,
	`profile_id` integer,
	`execution_id` integer,
	`outcome` text NOT NULL,
	`guard` text,
	`reason` text NOT NULL,
	`outbox_id` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`brand_id`) REFERENCES `brand`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`automation_id`) REFERENCES `marketing_automation`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`profile_id`) REFERENCES `customer_profile`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`execution_id`) REFERENCES `automation_execution`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `automation_decision_profile_idx` ON `automation_decision` (`profile_id`,`automation_id`,`id`);--> statement-breakpoint
CREATE INDEX `automation_decision_automation_idx` ON `automation_decision` (`automation_id`,`id`);--> statement-breakpoint
CREATE TABLE `profile_tag` (
	`profile_id` integer NOT NULL,
	`tag` text NOT NULL,
	`source` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`profile_id`, `tag`),
	FOREIGN KEY (`profile_id`) REFERENCES `customer_profile`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `profile_tag_tag_idx` ON `profile_tag` (`tag`);--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_automation_execution` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`brand_id` integer NOT NULL,
	`automation_id` integer NOT NULL,
	`profile_id` integer,
	`dedupe_key` text NOT NULL,
	`status` text NOT NULL,
	`detail` text,
	`step` integer DEFAULT 0 NOT NULL,
	`resume_at` integer,
	`occurred_at` integer,
	`created_at` integer NOT NULL,
	`executed_at` integer,
	FOREIGN KEY (`brand_id`) REFERENCES `brand`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`automation_id`) REFERENCES `marketing_automation`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`profile_id`) REFERENCES `customer_profile`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
INSERT INTO `__new_automation_execution`("id", "brand_id", "automation_id", "profile_id", "dedupe_key", "status", "detail", "created_at", "executed_at") SELECT "id", "brand_id", "automation_id", "profile_id", "dedupe_key", "status", "detail", "created_at", "executed_at" FROM `automation_execution`;--> statement-breakpoint
DROP TABLE `automation_execution`;--> statement-breakpoint
ALTER TABLE `__new_automation_execution` RENAME TO `automation_execution`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE UNIQUE INDEX `automation_execution_dedupe_uq` ON `automation_execution` (`automation_id`,`dedupe_key`);--> statement-breakpoint
CREATE INDEX `automation_execution_profile_idx` ON `automation_execution` (`profile_id`,`automation_id`);--> statement-breakpoint
CREATE INDEX `automation_execution_waiting_idx` ON `automation_execution` (`status`,`resume_at`);--> statement-breakpoint
ALTER TABLE `marketing_automation` DROP COLUMN `conditions`;--> statement-breakpoint
ALTER TABLE `marketing_automation` DROP COLUMN `channel`;--> statement-breakpoint
ALTER TABLE `marketing_automation` DROP COLUMN `action`;