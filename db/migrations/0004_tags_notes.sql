CREATE TABLE `notes` (
	`target` text NOT NULL,
	`target_id` text NOT NULL,
	`text` text NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	PRIMARY KEY(`target`, `target_id`)
);
--> statement-breakpoint
CREATE TABLE `tags` (
	`target` text NOT NULL,
	`target_id` text NOT NULL,
	`tag` text NOT NULL,
	PRIMARY KEY(`target`, `target_id`, `tag`)
);
--> statement-breakpoint
CREATE INDEX `tags_tag_idx` ON `tags` (`tag`,`target`,`target_id`);