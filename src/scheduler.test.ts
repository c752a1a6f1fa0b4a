// The in-process scheduler (spec 03 §10.1, §10.3, §10.4): result shapes, health, no overlap,
// failures recorded without stopping the schedule. Real timing uses croner's 6-field (seconds)
// patterns for a few seconds at most, with bounded polling.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, test } from 'node:test';
import { createScheduler, isValidExpression, type Scheduler } from './scheduler.ts';
import type { CronConfig } from './settings/store.ts';

const NOW = new Date('2024-03-20T10:00:00.000Z');
const config = (tasks: CronConfig['tasks']): CronConfig => ({ port: 9667, tasks });

const made: Scheduler[] = [];
afterEach(() => made.splice(0).forEach((s) => s.stop()));

function make(tasks: Record<string, () => Promise<unknown>>, cronTasks: CronConfig['tasks'], now = () => NOW) {
  let stored = config(cronTasks);
  const scheduler = createScheduler({ loadConfig: async () => structuredClone(stored), tasks, now });
  made.push(scheduler);
  return { scheduler, setStored: (next: CronConfig['tasks']) => (stored = config(next)) };
}

/** Polls `condition` every 25 ms for at most `ms`. */
async function waitFor(condition: () => boolean, ms: number, what: string) {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) assert.fail(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(25);
  }
}

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const DAILY = '0 2 * * *';

test('start schedules the enabled tasks only; health has the §10.3 shape', async () => {
  const { scheduler } = make(
    { a: async () => 1, b: async () => 2 },
    { a: { cronExpression: DAILY, enabled: true }, b: { cronExpression: DAILY, enabled: false } },
  );
  assert.deepEqual(scheduler.health(), { isRunning: false, activeTasks: [], lastRunTimes: {}, errors: {} });
  await scheduler.start();
  assert.deepEqual(scheduler.health(), { isRunning: true, activeTasks: ['a'], lastRunTimes: {}, errors: {} });
  scheduler.stop();
  assert.deepEqual(scheduler.health(), { isRunning: false, activeTasks: [], lastRunTimes: {}, errors: {} });
});

test('trigger: success, failure and unknown-task results (§10.1)', async () => {
  let fail = true;
  const { scheduler } = make(
    {
      plain: async () => undefined,
      stats: async () => ({ message: 'Task executed successfully', statistics: { checkedBackups: 2 } }),
      custom: async () => ({ message: 'Cleaned up 3 audit log entries older than 90 days', deletedCount: 3 }),
      flaky: async () => {
        if (fail) throw new Error('boom');
      },
    },
    { plain: { cronExpression: DAILY, enabled: true } },
  );
  await scheduler.start();
  assert.deepEqual(await scheduler.trigger('plain'), { taskName: 'plain', success: true, message: 'Task executed successfully' });
  assert.deepEqual(await scheduler.trigger('stats'), { taskName: 'stats', success: true, message: 'Task executed successfully', statistics: { checkedBackups: 2 } });
  assert.deepEqual(await scheduler.trigger('custom'), { taskName: 'custom', success: true, message: 'Cleaned up 3 audit log entries older than 90 days' });
  assert.deepEqual(await scheduler.trigger('nope'), { taskName: 'nope', success: false, error: 'Error: Unknown task: nope' });

  const failed = await scheduler.trigger('flaky');
  assert.deepEqual(failed, { taskName: 'flaky', success: false, error: 'Error: boom' });
  let health = scheduler.health();
  assert.deepEqual(health.errors, { flaky: 'Error: boom' }, 'unknown names are not recorded');
  assert.deepEqual(health.lastRunTimes, { plain: NOW.toISOString(), stats: NOW.toISOString(), custom: NOW.toISOString() });

  fail = false;
  assert.equal((await scheduler.trigger('flaky')).success, true);
  health = scheduler.health();
  assert.deepEqual(health.errors, {}, 'a successful run clears the error');
  assert.equal(health.lastRunTimes.flaky, NOW.toISOString());
  // Non-Error throws are reported as their string form.
  const odd = make({ odd: () => Promise.reject('plain text') }, {}).scheduler;
  assert.deepEqual(await odd.trigger('odd'), { taskName: 'odd', success: false, error: 'plain text' });
});

test('a trigger while the same task runs joins that run instead of starting a second one', async () => {
  let calls = 0;
  const gate = deferred();
  const { scheduler } = make(
    {
      slow: async () => {
        calls += 1;
        await gate.promise;
        return { message: `run ${calls}` };
      },
    },
    {},
  );
  const first = scheduler.trigger('slow');
  const second = scheduler.trigger('slow');
  await sleep(10);
  assert.equal(calls, 1);
  gate.resolve();
  const [a, b] = await Promise.all([first, second]);
  assert.deepEqual(a, { taskName: 'slow', success: true, message: 'run 1' });
  assert.deepEqual(b, a);
  // Once finished, the next trigger runs again.
  assert.deepEqual(await scheduler.trigger('slow'), { taskName: 'slow', success: true, message: 'run 2' });
  await scheduler.idle();
});

test('stopTask / startTask: runtime-only control with the §10.3 outcomes', async () => {
  const { scheduler } = make(
    { a: async () => 1, off: async () => 2, bad: async () => 3 },
    {
      a: { cronExpression: DAILY, enabled: true },
      off: { cronExpression: '0 0 1 1 0', enabled: false },
      bad: { cronExpression: 'not a cron', enabled: false },
    },
  );
  await scheduler.start();
  assert.equal(scheduler.stopTask('a'), true);
  assert.equal(scheduler.stopTask('a'), false, 'no longer scheduled');
  assert.equal(scheduler.stopTask('nope'), false);
  assert.deepEqual(scheduler.health().activeTasks, []);

  assert.equal(scheduler.startTask('a'), 'started');
  assert.equal(scheduler.startTask('a'), 'started', 'an existing job is replaced, never duplicated');
  assert.equal(scheduler.startTask('off'), 'started', 'a configured task starts even when disabled');
  assert.equal(scheduler.startTask('nope'), 'not-found');
  assert.equal(scheduler.startTask('bad'), 'invalid');
  assert.deepEqual(scheduler.health().activeTasks, ['a', 'off']);
});

test('setTask reschedules at once; reload re-reads the configuration and reports invalid tasks', async () => {
  const { scheduler, setStored } = make(
    { a: async () => 1, b: async () => 2 },
    { a: { cronExpression: DAILY, enabled: true }, b: { cronExpression: DAILY, enabled: true } },
  );
  await scheduler.start();
  assert.deepEqual(scheduler.health().activeTasks, ['a', 'b']);
  scheduler.setTask('a', { cronExpression: '0 0 1 1 0', enabled: false });
  assert.deepEqual(scheduler.health().activeTasks, ['b']);
  scheduler.setTask('a', { cronExpression: '*/10 * * * *', enabled: true });
  assert.deepEqual(scheduler.health().activeTasks, ['b', 'a']);
  assert.throws(() => scheduler.setTask('a', { cronExpression: '99 * * * *', enabled: true }), /Invalid task configuration for a/);
  assert.deepEqual(scheduler.health().activeTasks, ['b', 'a'], 'a rejected change keeps the old job');

  // Runtime-only: a stop is undone by reload, which applies the stored configuration.
  scheduler.stopTask('b');
  setStored({ a: { cronExpression: DAILY, enabled: false }, b: { cronExpression: DAILY, enabled: true } });
  await scheduler.reload();
  assert.deepEqual(scheduler.health().activeTasks, ['b']);

  setStored({ a: { cronExpression: 'every day', enabled: true }, b: { cronExpression: DAILY, enabled: true } });
  await assert.rejects(scheduler.reload(), /Invalid task configuration for a/);
  assert.deepEqual(scheduler.health().activeTasks, ['b'], 'the valid tasks are still scheduled');
});

test('start never throws on a bad configuration; stop during a reload schedules nothing', async () => {
  const { scheduler } = make({}, { a: { cronExpression: '2024-01-01T00:00:00', enabled: true } });
  await scheduler.start();
  assert.deepEqual(scheduler.health(), { isRunning: true, activeTasks: [], lastRunTimes: {}, errors: {} });

  const gate = deferred<CronConfig>();
  const slow = createScheduler({ loadConfig: () => gate.promise, tasks: {} });
  const starting = slow.start();
  slow.stop();
  gate.resolve(config({ a: { cronExpression: DAILY, enabled: true } }));
  await starting;
  assert.deepEqual(slow.health().activeTasks, []);
});

test('expressions: 5 fields (or 6 with seconds), evaluated in UTC', () => {
  for (const ok of ['*/5 * * * *', '0 2 * * *', '0 0 1 1 0', '* * * * * *', ' */1  *  * * * ']) assert.ok(isValidExpression(ok), ok);
  for (const bad of ['', 'x', '61 * * * *', '* * * *', '* * * * * * *', '2024-01-01T00:00:00', 5, null]) assert.ok(!isValidExpression(bad), String(bad));
});

test('real timing: ticks never overlap, a failing task keeps its schedule and recovers', async () => {
  let flakyRuns = 0;
  let slowStarts = 0;
  let active = 0;
  let maxActive = 0;
  const { scheduler } = make(
    {
      flaky: async () => {
        flakyRuns += 1;
        if (flakyRuns === 1) throw new Error('first tick fails');
      },
      slow: async () => {
        slowStarts += 1;
        active += 1;
        maxActive = Math.max(maxActive, active);
        await sleep(1300); // longer than the 1 s tick
        active -= 1;
      },
    },
    { flaky: { cronExpression: '* * * * * *', enabled: true }, slow: { cronExpression: '* * * * * *', enabled: true } },
    () => new Date(),
  );
  await scheduler.start();
  await waitFor(() => flakyRuns >= 1 && scheduler.health().errors.flaky !== undefined, 2500, 'the first (failing) tick');
  assert.equal(scheduler.health().errors.flaky, 'Error: first tick fails');
  assert.deepEqual(scheduler.health().activeTasks, ['flaky', 'slow'], 'the failure did not unschedule the task');
  await waitFor(() => flakyRuns >= 2 && scheduler.health().lastRunTimes.flaky !== undefined, 2500, 'a later successful tick');
  assert.equal(scheduler.health().errors.flaky, undefined, 'the success cleared the error');
  // A trigger of the slow task while a tick runs it joins that run.
  await waitFor(() => active === 1, 2500, 'a slow run in progress');
  const before = slowStarts;
  await scheduler.trigger('slow');
  assert.equal(slowStarts, before, 'the trigger joined the running tick');
  scheduler.stop();
  await scheduler.idle();
  assert.equal(maxActive, 1, 'the slow task never ran twice at once');
  const after = flakyRuns;
  await sleep(1100);
  assert.equal(flakyRuns, after, 'no ticks after stop()');
});
