CREATE TABLE `checkpoints` (
	`run_id` text NOT NULL,
	`step` integer NOT NULL,
	`path` text NOT NULL,
	`bytes` integer NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	PRIMARY KEY(`run_id`, `step`)
);
--> statement-breakpoint
CREATE TABLE `latest` (
	`run_id` text NOT NULL,
	`key` text NOT NULL,
	`step` integer NOT NULL,
	`value` real,
	PRIMARY KEY(`run_id`, `key`)
);
--> statement-breakpoint
CREATE TABLE `lisa_periods` (
	`run_id` text NOT NULL,
	`period` integer NOT NULL,
	`step` integer NOT NULL,
	`active` text NOT NULL,
	`reset` integer NOT NULL,
	PRIMARY KEY(`run_id`, `period`)
);
--> statement-breakpoint
CREATE TABLE `norm_groups` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`run_id` text NOT NULL,
	`name` text NOT NULL,
	`position` integer NOT NULL,
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `norm_groups_run_name_uq` ON `norm_groups` (`run_id`,`name`);--> statement-breakpoint
CREATE TABLE `norm_points` (
	`group_id` integer NOT NULL,
	`step` integer NOT NULL,
	`weight` real,
	`update` real,
	`trainable` real,
	`grad` real,
	PRIMARY KEY(`group_id`, `step`)
);
--> statement-breakpoint
CREATE TABLE `points` (
	`series_id` integer NOT NULL,
	`step` integer NOT NULL,
	`value` real,
	PRIMARY KEY(`series_id`, `step`)
);
--> statement-breakpoint
CREATE TABLE `run_logs` (
	`run_id` text NOT NULL,
	`seq` integer NOT NULL,
	`step` integer,
	`level` text NOT NULL,
	`message` text NOT NULL,
	`time` text NOT NULL,
	PRIMARY KEY(`run_id`, `seq`)
);
--> statement-breakpoint
CREATE TABLE `runs` (
	`id` text PRIMARY KEY NOT NULL,
	`sweep_id` text,
	`kind` text NOT NULL,
	`label` text NOT NULL,
	`config` text NOT NULL,
	`config_hash` text NOT NULL,
	`seed` integer,
	`gamma` integer,
	`interval` integer,
	`status` text DEFAULT 'queued' NOT NULL,
	`depends_on` text,
	`dir` text,
	`pid` integer,
	`slot` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`total_steps` integer,
	`last_step` integer,
	`events_offset` integer DEFAULT 0 NOT NULL,
	`last_seq` integer DEFAULT -1 NOT NULL,
	`token_hash` text,
	`backend` text,
	`gpu` integer,
	`summary` text,
	`failure_reason` text,
	`failure_message` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`started_at` text,
	`finished_at` text,
	FOREIGN KEY (`sweep_id`) REFERENCES `sweeps`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `runs_sweep_idx` ON `runs` (`sweep_id`);--> statement-breakpoint
CREATE INDEX `runs_status_idx` ON `runs` (`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `runs_config_hash_idx` ON `runs` (`config_hash`);--> statement-breakpoint
CREATE INDEX `runs_created_idx` ON `runs` (`created_at`);--> statement-breakpoint
CREATE TABLE `series` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`run_id` text NOT NULL,
	`key` text NOT NULL,
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `series_run_key_uq` ON `series` (`run_id`,`key`);--> statement-breakpoint
CREATE TABLE `shares` (
	`id` text PRIMARY KEY NOT NULL,
	`token_hash` text NOT NULL,
	`path` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`expires_at` text,
	`revoked_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `shares_token_hash_uq` ON `shares` (`token_hash`);--> statement-breakpoint
CREATE TABLE `sweeps` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`spec` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `sweeps_created_idx` ON `sweeps` (`created_at`);