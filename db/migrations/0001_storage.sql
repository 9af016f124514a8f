CREATE TABLE `point_blocks` (
	`series_id` integer NOT NULL,
	`level` integer NOT NULL,
	`block` integer NOT NULL,
	`count` integer NOT NULL,
	`nan_count` integer NOT NULL,
	`min_value` real,
	`max_value` real,
	`sum_value` real,
	`first_step` integer NOT NULL,
	`last_step` integer NOT NULL,
	PRIMARY KEY(`series_id`, `level`, `block`)
);
--> statement-breakpoint
ALTER TABLE `norm_points` ADD `has_grad` integer DEFAULT false NOT NULL;