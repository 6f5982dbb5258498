/**
 * The one gate between alert labels and the outside world: a label value is put into a
 * container name, a unit, a cache name or an argv slot only when it matches the
 * operator's safe pattern (`recovery.label_value_pattern`). Alert labels come from
 * whoever can reach Alertmanager or the webhook, so `; rm -rf /`, `$(...)`, spaces,
 * quotes and a leading `-` (an option to the program) never get through.
 */
import { UnsafeLabelError } from '../errors.js';

export type LabelCheck = (label: string, value: string) => void;

export function labelSafetyCheck(pattern: string): LabelCheck {
  const regex = new RegExp(pattern);
  return (label, value) => {
    if (!regex.test(value)) throw new UnsafeLabelError(label, value, pattern);
  };
}
