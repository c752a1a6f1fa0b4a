CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`timestamp` text DEFAULT CURRENT_TIMESTAMP NOT NULL,
	`user_id` text,
	`username` text,
	`action` text NOT NULL,
	`category` text NOT NULL,
	`target_type` text,
	`target_id` text,
	`details` text,
	`ip_address` text,
	`user_agent` text,
	`status` text NOT NULL,
	`error_message` text,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `audit_timestamp_idx` ON `audit_log` (`timestamp`);--> statement-breakpoint
CREATE INDEX `audit_user_idx` ON `audit_log` (`user_id`);--> statement-breakpoint
CREATE INDEX `audit_action_idx` ON `audit_log` (`action`);--> statement-breakpoint
CREATE INDEX `audit_category_idx` ON `audit_log` (`category`);--> statement-breakpoint
CREATE INDEX `audit_status_idx` ON `audit_log` (`status`);--> statement-breakpoint
CREATE TABLE `backup_days` (
	`day` text PRIMARY KEY NOT NULL,
	`first_date` text NOT NULL,
	`runs` integer DEFAULT 0 NOT NULL,
	`uploaded` integer DEFAULT 0 NOT NULL,
	`duration` real DEFAULT 0 NOT NULL,
	`file_count` integer DEFAULT 0 NOT NULL,
	`size` integer DEFAULT 0 NOT NULL,
	`storage` integer DEFAULT 0 NOT NULL,
	`versions` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `backup_jobs` (
	`server_id` text NOT NULL,
	`backup_name` text NOT NULL,
	`latest_backup_id` text NOT NULL,
	`latest_date` text NOT NULL,
	`run_count` integer DEFAULT 0 NOT NULL,
	`uploaded_total` integer DEFAULT 0 NOT NULL,
	`duplicati_next_run` text,
	`settings` text NOT NULL,
	`due_at` text,
	`overdue_notified_at` text,
	`latest_known_file_size` integer DEFAULT 0 NOT NULL,
	`latest_size` integer DEFAULT 0 NOT NULL,
	`recent_runs` text DEFAULT '[]' NOT NULL,
	PRIMARY KEY(`server_id`, `backup_name`),
	FOREIGN KEY (`server_id`) REFERENCES `servers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `backup_jobs_due_idx` ON `backup_jobs` (`due_at`);--> statement-breakpoint
CREATE INDEX `backup_jobs_summary_idx` ON `backup_jobs` (`server_id`,`latest_date`,`latest_known_file_size`,`latest_size`,`run_count`,`uploaded_total`);--> statement-breakpoint
CREATE TABLE `backups` (
	`id` text PRIMARY KEY NOT NULL,
	`server_id` text NOT NULL,
	`backup_name` text NOT NULL,
	`backup_id` text NOT NULL,
	`date` text NOT NULL,
	`status` text NOT NULL,
	`duration_seconds` real NOT NULL,
	`size` integer DEFAULT 0 NOT NULL,
	`uploaded_size` integer DEFAULT 0 NOT NULL,
	`examined_files` integer DEFAULT 0 NOT NULL,
	`warnings` integer DEFAULT 0 NOT NULL,
	`errors` integer DEFAULT 0 NOT NULL,
	`created_at` text DEFAULT CURRENT_TIMESTAMP,
	`deleted_files` integer DEFAULT 0 NOT NULL,
	`deleted_folders` integer DEFAULT 0 NOT NULL,
	`modified_files` integer DEFAULT 0 NOT NULL,
	`opened_files` integer DEFAULT 0 NOT NULL,
	`added_files` integer DEFAULT 0 NOT NULL,
	`added_folders` integer DEFAULT 0 NOT NULL,
	`modified_folders` integer DEFAULT 0 NOT NULL,
	`modified_symlinks` integer DEFAULT 0 NOT NULL,
	`deleted_symlinks` integer DEFAULT 0 NOT NULL,
	`added_symlinks` integer DEFAULT 0 NOT NULL,
	`size_of_modified_files` integer DEFAULT 0 NOT NULL,
	`size_of_added_files` integer DEFAULT 0 NOT NULL,
	`size_of_examined_files` integer DEFAULT 0 NOT NULL,
	`size_of_opened_files` integer DEFAULT 0 NOT NULL,
	`not_processed_files` integer DEFAULT 0 NOT NULL,
	`too_large_files` integer DEFAULT 0 NOT NULL,
	`files_with_error` integer DEFAULT 0 NOT NULL,
	`warnings_actual_length` integer DEFAULT 0 NOT NULL,
	`errors_actual_length` integer DEFAULT 0 NOT NULL,
	`messages_actual_length` integer DEFAULT 0 NOT NULL,
	`partial_backup` integer DEFAULT 0 NOT NULL,
	`dryrun` integer DEFAULT 0 NOT NULL,
	`interrupted` integer DEFAULT 0 NOT NULL,
	`main_operation` text NOT NULL,
	`parsed_result` text NOT NULL,
	`version` text,
	`begin_time` text NOT NULL,
	`end_time` text,
	`bytes_downloaded` integer DEFAULT 0 NOT NULL,
	`known_file_size` integer DEFAULT 0 NOT NULL,
	`last_backup_date` text,
	`backup_list_count` integer DEFAULT 0 NOT NULL,
	`reported_quota_error` integer DEFAULT 0 NOT NULL,
	`reported_quota_warning` integer DEFAULT 0 NOT NULL,
	`backend_main_operation` text,
	`backend_parsed_result` text,
	`backend_interrupted` integer DEFAULT 0 NOT NULL,
	`backend_version` text,
	`backend_begin_time` text,
	`backend_duration` text,
	`backend_warnings_actual_length` integer DEFAULT 0 NOT NULL,
	`backend_errors_actual_length` integer DEFAULT 0 NOT NULL,
	`available_backups` text DEFAULT '[]' NOT NULL,
	`messages_array` text DEFAULT '[]' NOT NULL,
	`warnings_array` text DEFAULT '[]' NOT NULL,
	`errors_array` text DEFAULT '[]' NOT NULL,
	FOREIGN KEY (`server_id`) REFERENCES `servers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `backups_run_unique` ON `backups` (`server_id`,`backup_name`,`date`);--> statement-breakpoint
CREATE INDEX `backups_server_date_idx` ON `backups` (`server_id`,`date`);--> statement-breakpoint
CREATE INDEX `backups_date_idx` ON `backups` (`date`);--> statement-breakpoint
CREATE TABLE `configurations` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text
);
--> statement-breakpoint
CREATE TABLE `servers` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`server_url` text DEFAULT '',
	`alias` text DEFAULT '',
	`note` text DEFAULT '',
	`server_password` text DEFAULT '',
	`created_at` text DEFAULT CURRENT_TIMESTAMP
);
--> statement-breakpoint
CREATE TABLE `sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text,
	`created_at` text DEFAULT CURRENT_TIMESTAMP,
	`last_accessed` text DEFAULT CURRENT_TIMESTAMP,
	`expires_at` text NOT NULL,
	`ip_address` text,
	`user_agent` text,
	`csrf_token` text,
	`csrf_expires_at` text,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `sessions_user_idx` ON `sessions` (`user_id`);--> statement-breakpoint
CREATE INDEX `sessions_expires_idx` ON `sessions` (`expires_at`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`username` text NOT NULL,
	`password_hash` text NOT NULL,
	`is_admin` integer DEFAULT 0 NOT NULL,
	`must_change_password` integer DEFAULT 0 NOT NULL,
	`created_at` text DEFAULT CURRENT_TIMESTAMP,
	`updated_at` text DEFAULT CURRENT_TIMESTAMP,
	`last_login_at` text,
	`last_login_ip` text,
	`failed_login_attempts` integer DEFAULT 0 NOT NULL,
	`locked_until` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_username_unique` ON `users` (`username`);