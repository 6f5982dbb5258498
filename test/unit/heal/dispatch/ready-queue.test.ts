import { describe, expect, it } from 'vitest';
import { ReadyQueue } from '../../../../src/heal/dispatch/ready-queue.js';

const job = (name: string, target: string, alert = name) => ({
  name,
  alert,
  plan: { targetKey: target },
});
type TestJob = ReturnType<typeof job>;
const newQueue = () => new ReadyQueue<TestJob>((each) => each.alert);

function queueOf(...jobs: TestJob[]): ReadyQueue<TestJob> {
  const queue = newQueue();
  for (const each of jobs) queue.add(each);
  return queue;
}

describe('ReadyQueue', () => {
  it('gives the oldest job whose target is free, and parked ones first once free', () => {
    const queue = queueOf(job('a1', 'a'), job('a2', 'a'), job('b1', 'b'), job('c1', 'c'));
    const busy = new Set(['a']);
    const take = () => queue.take((target) => busy.has(target))?.name;
    expect(take()).toBe('b1');
    busy.add('b');
    expect(take()).toBe('c1');
    busy.add('c');
    expect(take()).toBeUndefined();
    busy.delete('a');
    expect(take()).toBe('a1');
    expect(take()).toBe('a2');
    expect(take()).toBeUndefined();
  });

  it('drops the jobs picked, parked or not, and keeps the order of the rest', () => {
    const queue = queueOf(job('a1', 'a'), job('b1', 'b'), job('a2', 'a'), job('b2', 'b'));
    expect(queue.take((target) => target === 'a')?.name).toBe('b1');
    expect(queue.drop((each) => each.name.endsWith('2')).map((each) => each.name)).toEqual([
      'a2',
      'b2',
    ]);
    expect(queue.take(() => false)?.name).toBe('a1');
    expect(queue.take(() => false)).toBeUndefined();
  });

  it('drops an alert’s jobs, parked or not, and passes over them afterwards', () => {
    const queue = queueOf(
      job('a1', 'a', 'x'),
      job('b1', 'b', 'y'),
      job('a2', 'a', 'y'),
      job('c1', 'c', 'y'),
      job('b2', 'b', 'z'),
    );
    expect(queue.take((target) => target === 'a')?.name).toBe('b1');
    expect(queue.dropGroup('y').map((each) => each.name)).toEqual(['a2', 'c1']);
    expect(queue.dropGroup('y')).toEqual([]);
    expect(queue.drop(() => false)).toEqual([]);
    const rest: string[] = [];
    for (let taken = queue.take(() => false); taken; taken = queue.take(() => false))
      rest.push(taken.name);
    expect(rest).toEqual(['a1', 'b2']);
    expect(queue.dropGroup('x')).toEqual([]);
  });

  it('drops 100,000 alerts’ jobs one alert at a time, in linear time', () => {
    const queue = newQueue();
    for (let index = 0; index < 100_000; index += 1)
      queue.add(job(String(index), `t${index % 50}`));
    let dropped = 0;
    for (let index = 0; index < 100_000; index += 1)
      dropped += queue.dropGroup(String(index)).length;
    expect(dropped).toBe(100_000);
    expect(queue.take(() => false)).toBeUndefined();
  });

  it('takes 100,000 jobs in order, in linear time', () => {
    const queue = newQueue();
    for (let index = 0; index < 100_000; index += 1)
      queue.add(job(String(index), `t${index % 50}`));
    const started = performance.now();
    let inOrder = 0;
    for (let taken = queue.take(() => false); taken; taken = queue.take(() => false))
      if (Number(taken.name) === inOrder) inOrder += 1;
    expect(inOrder).toBe(100_000);
    // An O(n) take (the array splice it replaced) needs seconds here.
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
