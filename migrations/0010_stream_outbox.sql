CREATE TABLE `stream_outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`subscriber` text NOT NULL,
	`key` text NOT NULL,
	`payload` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `stream_outbox_subscriber_key_idx` ON `stream_outbox` (`subscriber`,`key`);--> statement-breakpoint
CREATE INDEX `stream_outbox_waiting_idx` ON `stream_outbox` (`subscriber`,`id`) WHERE status IN ('planned', 'sending');--> statement-breakpoint
UPDATE `stream_message` SET `payload` = json_object('kind', 'event', 'eventId', `payload` ->> '$.eventId', 'type', `payload` ->> '$.type', 'source', `payload` ->> '$.source', 'origin', 'import') WHERE `stream` = 'events.raw' AND `payload` ->> '$.kind' IS NULL AND `payload` ->> '$.eventId' IS NOT NULL;--> statement-breakpoint
UPDATE `stream_message` SET `payload` = json_object('kind', 'event', 'eventId', `payload` ->> '$.eventId', 'profileId', `payload` ->> '$.profileId', 'type', `payload` ->> '$.type', 'occurredAt', `payload` ->> '$.occurredAt', 'origin', 'import') WHERE `stream` = 'events.normalized' AND `payload` ->> '$.kind' IS NULL AND `payload` ->> '$.eventId' IS NOT NULL;--> statement-breakpoint
UPDATE `stream_message` SET `payload` = json_object('kind', 'range', 'firstEventId', `payload` ->> '$.fromEventId', 'lastEventId', `payload` ->> '$.toEventId', 'origin', 'import') WHERE `stream` IN ('events.raw', 'events.normalized') AND `payload` ->> '$.kind' IS NULL AND `payload` ->> '$.fromEventId' IS NOT NULL;--> statement-breakpoint
UPDATE `stream_message` SET `payload` = json_object('profileIds', json_array(`payload` ->> '$.profileId'), 'reason', `payload` ->> '$.reason') WHERE `stream` = 'predictions.requests' AND `payload` ->> '$.profileId' IS NOT NULL;
