CREATE TABLE `consent_event` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`brand_id` integer NOT NULL,
	`profile_id` integer NOT NULL,
	`channel` text NOT NULL,
	`state` text NOT NULL,
	`source` text NOT NULL,
	`detail` text,
	`occurred_at` integer,
	`recorded_at` integer NOT NULL,
	FOREIGN KEY (`brand_id`) REFERENCES `brand`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`profile_id`) REFERENCES `customer_profile`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `consent_event_profile_idx` ON `consent_event` (`profile_id`,`channel`,`recorded_at`);--> statement-breakpoint
CREATE TABLE `message_in` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`brand_id` integer NOT NULL,
	`profile_id` integer,
	`channel` text NOT NULL,
	`from_address` text NOT NULL,
	`body` text NOT NULL,
	`provider_message_id` text,
	`received_at` integer NOT NULL,
	FOREIGN KEY (`brand_id`) REFERENCES `brand`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`profile_id`) REFERENCES `customer_profile`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `message_in_profile_idx` ON `message_in` (`profile_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `message_in_provider_uq` ON `message_in` (`channel`,`provider_message_id`);--> statement-breakpoint
ALTER TABLE `message_outbox` ADD `status_reason` text;--> statement-breakpoint
ALTER TABLE `message_outbox` ADD `profile_id` integer REFERENCES customer_profile(id);--> statement-breakpoint
ALTER TABLE `message_outbox` ADD `kind` text DEFAULT 'marketing' NOT NULL;--> statement-breakpoint
ALTER TABLE `message_outbox` ADD `source` text DEFAULT 'customer360' NOT NULL;--> statement-breakpoint
ALTER TABLE `message_outbox` ADD `cost` real;--> statement-breakpoint
ALTER TABLE `message_outbox` ADD `currency` text;--> statement-breakpoint
ALTER TABLE `message_outbox` ADD `sending_at` integer;--> statement-breakpoint
ALTER TABLE `message_outbox` ADD `updated_at` integer;--> statement-breakpoint
CREATE INDEX `message_outbox_profile_idx` ON `message_outbox` (`profile_id`);--> statement-breakpoint
CREATE INDEX `message_outbox_provider_idx` ON `message_outbox` (`provider_message_id`);--> statement-breakpoint
-- Consent recorded before its history was kept: one undated row per channel a profile had an answer for, so the
-- history starts from what was known (an undated yes never reverses a later opt-out).
INSERT INTO `consent_event` (`brand_id`, `profile_id`, `channel`, `state`, `source`, `detail`, `occurred_at`, `recorded_at`)
SELECT `brand_id`, `id`, 'email', CASE WHEN `email_consent` = 1 THEN 'yes' ELSE 'no' END, 'earlier',
  'recorded before ConstIntel kept consent history', NULL, `updated_at`
FROM `customer_profile` WHERE `email_consent` IS NOT NULL;
--> statement-breakpoint
INSERT INTO `consent_event` (`brand_id`, `profile_id`, `channel`, `state`, `source`, `detail`, `occurred_at`, `recorded_at`)
SELECT `brand_id`, `id`, 'sms', CASE WHEN `sms_consent` = 1 THEN 'yes' ELSE 'no' END, 'earlier',
  'recorded before ConstIntel kept consent history', NULL, `updated_at`
FROM `customer_profile` WHERE `sms_consent` IS NOT NULL;
--> statement-breakpoint
INSERT INTO `consent_event` (`brand_id`, `profile_id`, `channel`, `state`, `source`, `detail`, `occurred_at`, `recorded_at`)
SELECT `brand_id`, `id`, 'whatsapp', CASE WHEN `whatsapp_consent` = 1 THEN 'yes' ELSE 'no' END, 'earlier',
  'recorded before ConstIntel kept consent history', NULL, `updated_at`
FROM `customer_profile` WHERE `whatsapp_consent` IS NOT NULL;
