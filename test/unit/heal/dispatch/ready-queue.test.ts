import { describe, expect, it } from 'vitest';
import { ReadyQueue } from '../../../../src/heal/dispatch/ready-queue.js';

const job = (name: string, target: string) => ({ name, plan: { targetKey: target } });
type TestJob = ReturnType<typeof job>;

function queueOf(...jobs: TestJob[]): ReadyQueue<TestJob> {
  const queue = new ReadyQueue<TestJob>();
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

  it('takes 100,000 jobs in order, in linear time', () => {
    const queue = new ReadyQueue<TestJob>();
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
