// Admission: notifications judged one at a time (or N), the others waiting in arrival
// order while their bytes fit, refused beyond.
import { expect, it } from 'vitest';
import { Admission } from '../../../../src/heal/receive/admission.js';

it('lets `concurrency` in at once and the rest in arrival order as turns end', async () => {
  const admission = new Admission(1, 1000);
  const order: string[] = [];
  const leaveA = await admission.enter(400)!;
  const b = admission.enter(400)!.then((leave) => (order.push('b'), leave));
  const c = admission.enter(400)!.then((leave) => (order.push('c'), leave));
  expect(admission.waiting).toEqual({ notifications: 2, bytes: 800 });
  leaveA();
  leaveA(); // a second call hands nothing on
  const leaveB = await b;
  expect(order).toEqual(['b']);
  expect(admission.waiting).toEqual({ notifications: 1, bytes: 400 });
  leaveB();
  (await c)();
  expect(order).toEqual(['b', 'c']);
  expect(admission.waiting).toEqual({ notifications: 0, bytes: 0 });
  // Free again: the next one is in at once.
  expect(admission.enter(400)).toBeDefined();
});

it('refuses a body whose bytes would make more wait than it keeps', async () => {
  const admission = new Admission(1, 1000);
  await admission.enter(5000); // judged at once, whatever its size
  expect(admission.enter(600)).toBeDefined();
  expect(admission.enter(600)).toBeUndefined();
  expect(admission.enter(400)).toBeDefined();
  expect(admission.waiting).toEqual({ notifications: 2, bytes: 1000 });
});
