/** Regular expressions in configuration: a string JavaScript's RegExp accepts. */
import { z } from 'zod';

function isRegex(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

/** A schema for a regular expression setting: the source string, checked to compile. */
export function regex(): z.ZodString {
  return z.string().refine(isRegex, 'expected a regular expression');
}
