CREATE TABLE `automation_execution` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`brand_id` integer NOT NULL,
	`automation_id` integer NOT NULL,
	`profile_id` integer,
	`dedupe_key` text NOT NULL,
	`status` text NOT NULL,
	`detail` text,
	`created_at` integer NOT NULL,
	`executed_at` integer,
	FOREIGN KEY (`brand_id`) REFERENCES `brand`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`automation_id`) REFERENCES `marketing_automation`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`profile_id`) REFERENCES `customer_profile`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `automation_execution_dedupe_uq` ON `automation_execution` (`automation_id`,`dedupe_key`);--> statement-breakpoint
CREATE INDEX `automation_execution_profile_idx` ON `automation_execution` (`profile_id`);--> statement-breakpoint
CREATE TABLE `marketing_automation` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`brand_id` integer NOT NULL,
	`name` text NOT NULL,
	`trigger_type` text NOT NULL,
	`conditions` text DEFAULT '{}' NOT NULL,
	`channel` text NOT NULL,
	`action` text NOT NULL,
	`enabled` integer DEFAULT false NOT NULL,
	`cooldown_days` integer DEFAULT 30 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`brand_id`) REFERENCES `brand`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `marketing_automation_brand_idx` ON `marketing_automation` (`brand_id`,`enabled`);--> statement-breakpoint
CREATE TABLE `message_outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`brand_id` integer NOT NULL,
	`execution_id` integer,
	`channel` text NOT NULL,
	`recipient` text NOT NULL,
	`body` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`last_error` text,
	`provider_message_id` text,
	`created_at` integer NOT NULL,
	`sent_at` integer,
	FOREIGN KEY (`brand_id`) REFERENCES `brand`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`execution_id`) REFERENCES `automation_execution`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `message_outbox_pending_idx` ON `message_outbox` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE TABLE `brand` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`default_country` text NOT NULL,
	`currency` text DEFAULT 'USD' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `setting` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`updated_at` integer DEFAULT (unixepoch() * 1000) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `customer_raw_event` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`brand_id` integer NOT NULL,
	`event_type` text NOT NULL,
	`source` text NOT NULL,
	`external_id` text,
	`payload` text NOT NULL,
	`occurred_at` integer NOT NULL,
	`received_at` integer NOT NULL,
	`customer_profile_id` integer,
	FOREIGN KEY (`brand_id`) REFERENCES `brand`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`customer_profile_id`) REFERENCES `customer_profile`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `customer_raw_event_natural_key_uq` ON `customer_raw_event` (`brand_id`,`source`,`external_id`);--> statement-breakpoint
CREATE INDEX `customer_raw_event_profile_time_idx` ON `customer_raw_event` (`customer_profile_id`,`occurred_at`);--> statement-breakpoint
CREATE INDEX `customer_raw_event_brand_type_time_idx` ON `customer_raw_event` (`brand_id`,`event_type`,`occurred_at`);--> statement-breakpoint
CREATE TABLE `customer_profile` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`brand_id` integer NOT NULL,
	`first_name` text,
	`last_name` text,
	`lifetime_value` real DEFAULT 0 NOT NULL,
	`total_orders` integer DEFAULT 0 NOT NULL,
	`strength` real DEFAULT 0 NOT NULL,
	`email_consent` integer,
	`sms_consent` integer,
	`whatsapp_consent` integer,
	`first_seen_at` integer,
	`last_seen_at` integer,
	`last_purchase_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`brand_id`) REFERENCES `brand`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `customer_profile_brand_ltv_idx` ON `customer_profile` (`brand_id`,`lifetime_value`);--> statement-breakpoint
CREATE INDEX `customer_profile_brand_last_seen_idx` ON `customer_profile` (`brand_id`,`last_seen_at`);--> statement-breakpoint
CREATE INDEX `customer_profile_brand_name_idx` ON `customer_profile` (`brand_id`,`last_name`,`first_name`);--> statement-breakpoint
CREATE TABLE `merge_history` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`brand_id` integer NOT NULL,
	`base_profile_id` integer NOT NULL,
	`merged_profile_ids` text NOT NULL,
	`snapshot` text NOT NULL,
	`reason` text NOT NULL,
	`evidence` text NOT NULL,
	`created_at` integer NOT NULL,
	`undone_at` integer,
	FOREIGN KEY (`brand_id`) REFERENCES `brand`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `merge_history_base_idx` ON `merge_history` (`base_profile_id`);--> statement-breakpoint
CREATE TABLE `merge_review` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`brand_id` integer NOT NULL,
	`candidate_profile_ids` text NOT NULL,
	`evidence` text NOT NULL,
	`evidence_key` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`created_at` integer NOT NULL,
	`decided_at` integer,
	`merge_history_id` integer,
	FOREIGN KEY (`brand_id`) REFERENCES `brand`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`merge_history_id`) REFERENCES `merge_history`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `merge_review_brand_status_idx` ON `merge_review` (`brand_id`,`status`);--> statement-breakpoint
CREATE TABLE `profile_identifier` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`brand_id` integer NOT NULL,
	`profile_id` integer NOT NULL,
	`type` text NOT NULL,
	`value` text NOT NULL,
	`raw_value` text,
	`source` text NOT NULL,
	`first_seen_at` integer NOT NULL,
	FOREIGN KEY (`brand_id`) REFERENCES `brand`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`profile_id`) REFERENCES `customer_profile`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `profile_identifier_brand_type_value_uq` ON `profile_identifier` (`brand_id`,`type`,`value`);--> statement-breakpoint
CREATE INDEX `profile_identifier_profile_idx` ON `profile_identifier` (`profile_id`);--> statement-breakpoint
CREATE TABLE `customer_journey` (
	`profile_id` integer PRIMARY KEY NOT NULL,
	`brand_id` integer NOT NULL,
	`stage` text NOT NULL,
	`score` real DEFAULT 0 NOT NULL,
	`entered_stage_at` integer NOT NULL,
	`milestones` text DEFAULT '[]' NOT NULL,
	`next_best_action` text,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`profile_id`) REFERENCES `customer_profile`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`brand_id`) REFERENCES `brand`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `customer_journey_brand_stage_idx` ON `customer_journey` (`brand_id`,`stage`);--> statement-breakpoint
CREATE TABLE `features` (
	`profile_id` integer PRIMARY KEY NOT NULL,
	`brand_id` integer NOT NULL,
	`as_of` integer NOT NULL,
	`recency_days` real,
	`frequency` integer DEFAULT 0 NOT NULL,
	`monetary` real DEFAULT 0 NOT NULL,
	`avg_order_value` real,
	`tenure_days` real,
	`vector` text NOT NULL,
	`computed_at` integer NOT NULL,
	FOREIGN KEY (`profile_id`) REFERENCES `customer_profile`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`brand_id`) REFERENCES `brand`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `features_brand_idx` ON `features` (`brand_id`);--> statement-breakpoint
CREATE TABLE `model_version` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`brand_id` integer NOT NULL,
	`kind` text NOT NULL,
	`method` text NOT NULL,
	`metrics` text NOT NULL,
	`artifact` text NOT NULL,
	`training_rows` integer NOT NULL,
	`duration_ms` integer NOT NULL,
	`active` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`brand_id`) REFERENCES `brand`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `model_version_brand_kind_idx` ON `model_version` (`brand_id`,`kind`,`active`);--> statement-breakpoint
CREATE TABLE `predictions` (
	`profile_id` integer PRIMARY KEY NOT NULL,
	`brand_id` integer NOT NULL,
	`churn_score` real,
	`ltv_score` real,
	`segment` text,
	`recommendations` text DEFAULT '[]' NOT NULL,
	`model_version` integer,
	`predicted_at` integer NOT NULL,
	FOREIGN KEY (`profile_id`) REFERENCES `customer_profile`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`brand_id`) REFERENCES `brand`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`model_version`) REFERENCES `model_version`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `predictions_brand_churn_idx` ON `predictions` (`brand_id`,`churn_score`);--> statement-breakpoint
CREATE INDEX `predictions_brand_segment_idx` ON `predictions` (`brand_id`,`segment`);--> statement-breakpoint
CREATE TABLE `stream_message` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`stream` text NOT NULL,
	`key` text,
	`payload` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `stream_message_stream_id_idx` ON `stream_message` (`stream`,`id`);--> statement-breakpoint
CREATE TABLE `stream_offset` (
	`stream` text NOT NULL,
	`subscriber` text NOT NULL,
	`last_id` integer DEFAULT 0 NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`stream`, `subscriber`)
);
