DROP INDEX `automation_execution_waiting_idx`;--> statement-breakpoint
CREATE INDEX `automation_execution_waiting_idx` ON `automation_execution` (`resume_at`) WHERE status = 'waiting';--> statement-breakpoint
DROP INDEX `message_outbox_provider_idx`;--> statement-breakpoint
CREATE INDEX `message_outbox_provider_idx` ON `message_outbox` (`provider_message_id`) WHERE provider_message_id IS NOT NULL;