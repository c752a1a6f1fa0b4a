// The in-process scheduler (spec 03 §10; spec 04 §9.9): croner jobs for the tasks of the
// `cron_service` configuration, evaluated in UTC, plus the state /api/cron/health reports.
//
// Rules:
// - Only enabled tasks are scheduled by start()/reload(); startTask() schedules a configured task
//   even when it is disabled; stopTask()/startTask() are runtime-only (lost on reload/restart).
// - A task never runs twice at once. Scheduled ticks use croner's `protect` (a tick that comes
//   while the previous tick still runs is skipped and logged). On top of that every run, scheduled
//   or triggered, goes through one in-flight map: a trigger() or tick arriving while the same task
//   runs JOINS that run — it gets the same result and no second run starts.
// - A run that throws is logged, stored in errors[task] (as `String(error)`, like the reference),
//   answered as `{taskName, success: false, error}`; the schedule keeps going. A successful run
//   records lastRunTimes[task] (completion time) and clears errors[task].
// - Errors are only recorded for names the scheduler knows (a task function or a configured
//   task), so triggering random names cannot grow the errors map.
import { Cron } from 'croner';
import type { CronConfig, CronTask } from './settings/store.ts';

export type TaskResult =
  | { taskName: string; success: true; message: string; statistics?: unknown }
  | { taskName: string; success: false; error: string };

export interface SchedulerHealth {
  isRunning: boolean;
  activeTasks: string[];
  lastRunTimes: Record<string, string>;
  errors: Record<string, string>;
}

/** What startTask() did: scheduled, no such task in the configuration, or a bad expression. */
export type StartTaskOutcome = 'started' | 'not-found' | 'invalid';

/**
 * A task's work. When it resolves to an object with a string `message` that becomes the result's
 * message (else `Task executed successfully`); an object's `statistics` is passed on as is.
 */
export type TaskFunction = () => Promise<unknown>;

export interface SchedulerOptions {
  loadConfig: () => Promise<CronConfig>;
  tasks: Record<string, TaskFunction>;
  now?: () => Date;
}

export interface Scheduler {
  /** Load the configuration and schedule the enabled tasks. Never throws (a bad task is logged). */
  start(): Promise<void>;
  /** Unschedule every job (in-flight runs finish on their own; see idle()). */
  stop(): void;
  /** Stop all jobs, re-read the configuration, schedule the enabled tasks. Throws `Invalid task configuration for <names>` after scheduling the valid ones. */
  reload(): Promise<void>;
  /** Run a task now (also when disabled or stopped); joins a run of the same task in progress. */
  trigger(name: string): Promise<TaskResult>;
  /** Schedule a configured task (even if disabled), replacing its current job. */
  startTask(name: string): StartTaskOutcome;
  /** Unschedule a task; false when it was not scheduled. */
  stopTask(name: string): boolean;
  /** Replace a task's configuration and reschedule it at once (scheduled only when enabled). Throws on an invalid expression. */
  setTask(name: string, task: CronTask): void;
  health(): SchedulerHealth;
  /** Resolves when no task run is in progress (for a clean shutdown). */
  idle(): Promise<void>;
}

const log = (text: string) => console.log(`[scheduler] ${text}`);
const logError = (text: string) => console.error(`[scheduler] ${text}`);

/** Collapses whitespace; null unless it is a 5-field (or 6-field, with seconds) cron pattern. */
export function normalizeExpression(expression: unknown): string | null {
  if (typeof expression !== 'string') return null;
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) return null;
  return fields.join(' ');
}

/** True when croner accepts the expression (5 fields, or 6 with seconds). */
export function isValidExpression(expression: unknown): boolean {
  const pattern = normalizeExpression(expression);
  if (!pattern) return false;
  try {
    new Cron(pattern, { timezone: 'UTC', paused: true, mode: '5-or-6-parts' }).stop();
    return true;
  } catch {
    return false;
  }
}

function resultOf(taskName: string, output: unknown): TaskResult {
  const out = output && typeof output === 'object' ? (output as Record<string, unknown>) : {};
  const message = typeof out.message === 'string' ? out.message : 'Task executed successfully';
  return { taskName, success: true, message, ...('statistics' in out && { statistics: out.statistics }) };
}

export function createScheduler(options: SchedulerOptions): Scheduler {
  const { loadConfig, tasks } = options;
  const now = options.now ?? (() => new Date());
  let config: CronConfig | null = null;
  let running = false;
  const jobs = new Map<string, Cron>();
  const inFlight = new Map<string, Promise<TaskResult>>();
  const lastRunTimes: Record<string, string> = {};
  const errors: Record<string, string> = {};

  const known = (name: string) => Object.hasOwn(tasks, name) || (config !== null && Object.hasOwn(config.tasks, name));

  async function execute(name: string): Promise<TaskResult> {
    try {
      if (!Object.hasOwn(tasks, name)) throw new Error(`Unknown task: ${name}`);
      const result = resultOf(name, await tasks[name]());
      lastRunTimes[name] = now().toISOString();
      delete errors[name];
      return result;
    } catch (error) {
      const text = String(error);
      if (!known(name)) {
        logError(`task ${name} failed: ${text}`);
      } else {
        errors[name] = text;
        logError(`task ${name} failed: ${error instanceof Error && error.stack ? error.stack : text}`);
      }
      return { taskName: name, success: false, error: text };
    }
  }

  /** The one way a task runs: a run already in progress for the name is joined, never doubled. */
  function run(name: string): Promise<TaskResult> {
    const current = inFlight.get(name);
    if (current) return current;
    const started = execute(name).finally(() => inFlight.delete(name));
    inFlight.set(name, started);
    return started;
  }

  function unschedule(name: string): boolean {
    const job = jobs.get(name);
    if (!job) return false;
    job.stop();
    jobs.delete(name);
    return true;
  }

  /** Replaces the job of `name`; throws when the expression is not a valid pattern. */
  function schedule(name: string, task: CronTask) {
    const pattern = normalizeExpression(task?.cronExpression);
    if (!pattern || !isValidExpression(pattern)) throw new Error(`Invalid task configuration for ${name}`);
    unschedule(name);
    const job = new Cron(
      pattern,
      {
        timezone: 'UTC',
        mode: '5-or-6-parts',
        // The daemon's HTTP server keeps the process alive; jobs alone never should.
        unref: true,
        protect: () => log(`task ${name} is still running, tick skipped`),
        catch: (error) => logError(`task ${name} tick failed: ${String(error)}`),
      },
      async () => {
        await run(name);
      },
    );
    jobs.set(name, job);
  }

  function stopAll() {
    for (const name of [...jobs.keys()]) unschedule(name);
  }

  async function reload() {
    stopAll();
    const loaded = await loadConfig();
    config = loaded;
    // A stop() while the configuration was loading wins: nothing is scheduled after shutdown.
    if (!running) return;
    stopAll(); // a concurrent reload may have scheduled meanwhile
    const invalid: string[] = [];
    for (const [name, task] of Object.entries(loaded.tasks)) {
      if (!task?.enabled) continue;
      try {
        schedule(name, task);
      } catch {
        invalid.push(name);
        logError(`invalid cron expression for task ${name}: ${JSON.stringify(task.cronExpression)} (not scheduled)`);
      }
    }
    if (invalid.length) throw new Error(`Invalid task configuration for ${invalid.join(', ')}`);
  }

  return {
    async start() {
      running = true;
      try {
        await reload();
      } catch (error) {
        logError(`start: ${String(error)}`);
      }
    },

    stop() {
      running = false;
      stopAll();
    },

    reload,

    trigger: run,

    startTask(name) {
      if (!config || !Object.hasOwn(config.tasks, name)) return 'not-found';
      if (!running) throw new Error('Scheduler is not running');
      try {
        schedule(name, config.tasks[name]);
        return 'started';
      } catch {
        return 'invalid';
      }
    },

    stopTask: unschedule,

    setTask(name, task) {
      const next = { cronExpression: task.cronExpression, enabled: task.enabled };
      if (next.enabled && !isValidExpression(next.cronExpression)) throw new Error(`Invalid task configuration for ${name}`);
      const base = config ?? { port: 9667, tasks: {} };
      config = { ...base, tasks: { ...base.tasks, [name]: next } };
      unschedule(name);
      if (running && next.enabled) schedule(name, next);
    },

    health() {
      return { isRunning: running, activeTasks: [...jobs.keys()], lastRunTimes: { ...lastRunTimes }, errors: { ...errors } };
    },

    async idle() {
      while (inFlight.size) await Promise.allSettled([...inFlight.values()]);
    },
  };
}
