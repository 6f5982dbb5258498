import { describe, expect, it } from 'vitest';
import { matchesAll, parseMatcher } from '../../../../src/heal/policy/matchers.js';

const labels = { alertname: 'AegisContainerExited', container: 'web-1', severity: 'critical' };

describe('parseMatcher', () => {
  it.each([
    ['alertname="AegisContainerExited"', true],
    ['alertname = "AegisContainerExited"', true],
    ['alertname=AegisContainerExited', true],
    ['alertname!="AegisContainerExited"', false],
    ['alertname=~"AegisContainer.*"', true],
    ['alertname=~"Container"', false], // anchored: a substring does not match
    ['alertname!~"Aegis(Endpoint|Anomaly).*"', true],
    ['severity=~"critical|warning"', true],
    ['team=""', true], // a missing label matches as the empty string
    ['team!=""', false],
    ['container=~"web-\\\\d"', true],
  ])('%s -> %s', (text, expected) => {
    expect(parseMatcher(text).matches(labels)).toBe(expected);
  });

  it('unescapes as Alertmanager does, keeping spurious backslashes for regexes', () => {
    expect(parseMatcher('summary="say \\"hi\\"\\n"').value).toBe('say "hi"\n');
    expect(parseMatcher('unit=~"nginx\\.service"').value).toBe('nginx\\.service');
    expect(parseMatcher('unit=~"nginx\\.service"').matches({ unit: 'nginx.service' })).toBe(true);
    expect(parseMatcher('unit=~"nginx\\.service"').matches({ unit: 'nginxxservice' })).toBe(false);
    expect(parseMatcher('team=platform ops').value).toBe('platform ops');
  });

  it.each([
    ['alertname', 'bad matcher "alertname": expected NAME OP VALUE with OP one of =, !=, =~, !~'],
    ['1abc="x"', 'bad matcher "1abc=\\"x\\"": expected NAME OP VALUE with OP one of =, !=, =~, !~'],
    ['a="x', 'bad matcher "a=\\"x": missing closing double quote'],
    ['a="x"y"', 'bad matcher "a=\\"x\\"y\\"": unescaped double quote in the value'],
    [
      'a=~"("',
      'bad matcher "a=~\\"(\\"": Invalid regular expression: /^(?:()$/s: Unterminated group',
    ],
  ])('refuses %s', (text, message) => {
    expect(() => parseMatcher(text)).toThrow(message);
  });

  it('matchesAll needs every matcher; none matches everything', () => {
    const both = [parseMatcher('alertname=~"Aegis.*"'), parseMatcher('severity="warning"')];
    expect(matchesAll(both, labels)).toBe(false);
    expect(matchesAll([], labels)).toBe(true);
  });
});
