ALTER TABLE `webhook_delivery` ADD `pending` integer DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX `webhook_delivery_pending_idx` ON `webhook_delivery` (`id`) WHERE pending = 1;