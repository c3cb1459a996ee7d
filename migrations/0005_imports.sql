CREATE TABLE `import_job` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`brand_id` integer NOT NULL,
	`file_name` text NOT NULL,
	`file_bytes` integer NOT NULL,
	`settings` text NOT NULL,
	`status` text NOT NULL,
	`bytes_read` integer DEFAULT 0 NOT NULL,
	`rows_read` integer DEFAULT 0 NOT NULL,
	`events_created` integer DEFAULT 0 NOT NULL,
	`profiles_created` integer DEFAULT 0 NOT NULL,
	`auto_merged` integer DEFAULT 0 NOT NULL,
	`queued_for_review` integer DEFAULT 0 NOT NULL,
	`duplicates` integer DEFAULT 0 NOT NULL,
	`rejected` integer DEFAULT 0 NOT NULL,
	`anonymous_sales` integer DEFAULT 0 NOT NULL,
	`rejected_file` text,
	`error` text,
	`started_at` integer NOT NULL,
	`finished_at` integer,
	FOREIGN KEY (`brand_id`) REFERENCES `brand`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `import_job_brand_started_idx` ON `import_job` (`brand_id`,`started_at`);--> statement-breakpoint
CREATE TABLE `import_preset` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`brand_id` integer NOT NULL,
	`name` text NOT NULL,
	`header_key` text NOT NULL,
	`settings` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`brand_id`) REFERENCES `brand`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `import_preset_brand_name_uq` ON `import_preset` (`brand_id`,`name`);--> statement-breakpoint
CREATE INDEX `import_preset_header_idx` ON `import_preset` (`brand_id`,`header_key`);