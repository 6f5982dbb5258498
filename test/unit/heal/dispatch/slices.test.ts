// The event loop's slices: parts that wait for a slice start together, on a later turn,
// and a slice is spent once its time has run.
import { expect, it } from 'vitest';
import { Slices } from '../../../../src/heal/dispatch/slices.js';

it('is spent before the first slice, and not at the start of one', async () => {
  const slices = new Slices(60_000);
  expect(slices.due).toBe(true);
  await slices.next();
  expect(slices.due).toBe(false);
});

it('starts every part that waits in the same later turn of the event loop', async () => {
  const slices = new Slices(60_000);
  const order: string[] = [];
  const a = slices.next().then(() => order.push('a'));
  const b = slices.next().then(() => order.push('b'));
  order.push('waiting');
  await Promise.all([a, b]);
  expect(order).toEqual(['waiting', 'a', 'b']);
});

it('lets what was waiting run before a part whose slice is spent goes on', async () => {
  const slices = new Slices(0);
  await slices.next();
  expect(slices.due).toBe(true);
  const events: string[] = [];
  setImmediate(() => events.push('a request'));
  await slices.next();
  events.push('the sliced work');
  expect(events).toEqual(['a request', 'the sliced work']);
});
