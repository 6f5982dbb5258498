import { describe, expect, it } from 'vitest';
import { MissingLabelError, UnsafeLabelError } from '../../../../src/heal/errors.js';
import { labelSafetyCheck } from '../../../../src/heal/receive/label-safety.js';
import {
  renderTemplate,
  templateLabels,
  templateProblem,
} from '../../../../src/heal/policy/template.js';

const check = labelSafetyCheck('^[A-Za-z0-9_][A-Za-z0-9_.:@+=-]{0,252}$');

describe('templates', () => {
  it('renders $labels placeholders after checking their values', () => {
    expect(
      renderTemplate(
        '{{ $labels.container }}-x-{{$labels.job}}',
        { container: 'web', job: 'api' },
        check,
      ),
    ).toBe('web-x-api');
    expect(templateLabels('{{ $labels.a }}/{{ $labels.b }}')).toEqual(['a', 'b']);
  });

  it('refuses an unsafe value and a missing label by name', () => {
    expect(() =>
      renderTemplate('{{ $labels.container }}', { container: 'web; rm -rf /' }, check),
    ).toThrow(UnsafeLabelError);
    expect(() => renderTemplate('{{ $labels.container }}', {}, check)).toThrow(
      new MissingLabelError('container'),
    );
  });

  it('names unsupported template syntax', () => {
    expect(templateProblem('{{ .Labels.container }}')).toBe(
      'unsupported template in "{{ .Labels.container }}": only {{ $labels.NAME }} is allowed',
    );
    expect(templateProblem('{{ $labels.container }}')).toBeUndefined();
  });
});

describe('label safety', () => {
  it.each(['web', 'web-1', 'db_2.prod', 'node:9100', 'user@host', 'a=b', '_x'])(
    'accepts %s',
    (value) => {
      expect(() => check('l', value)).not.toThrow();
    },
  );

  it.each([
    '',
    '; rm -rf /',
    '$(reboot)',
    '`id`',
    '-rf',
    '--help',
    'a b',
    'a\nb',
    '../etc',
    'a|b',
    'a&b',
    "a'b",
    'a"b',
    'x'.repeat(254),
  ])('refuses %j', (value) => {
    expect(() => check('container', value)).toThrow(UnsafeLabelError);
  });
});
