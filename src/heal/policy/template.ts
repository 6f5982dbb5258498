/**
 * Templates in policy fields: `{{ $labels.NAME }}` is replaced by the alert's label
 * value, after that value passed the label-safety check. Nothing else is a template: no
 * functions, no pipelines, so a policy cannot compute anything an operator did not write.
 */
import { MissingLabelError } from '../errors.js';

const PLACEHOLDER = /\{\{\s*\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g;

/** The label names a template reads. */
export function templateLabels(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((match) => match[1] as string);
}

/** What is wrong with a template's syntax, or undefined: any `{{` left after the placeholders. */
export function templateProblem(template: string): string | undefined {
  if (template.replace(PLACEHOLDER, '').includes('{{')) {
    return `unsupported template in ${JSON.stringify(template)}: only {{ $labels.NAME }} is allowed`;
  }
  return undefined;
}

/**
 * Renders a template. `check` is called on every label value before it is used and
 * throws when the value is unsafe; a label the alert lacks is a MissingLabelError.
 */
export function renderTemplate(
  template: string,
  labels: Readonly<Record<string, string>>,
  check: (label: string, value: string) => void,
): string {
  return template.replace(PLACEHOLDER, (_whole, name: string) => {
    const value = labels[name];
    if (value === undefined) throw new MissingLabelError(name);
    check(name, value);
    return value;
  });
}
