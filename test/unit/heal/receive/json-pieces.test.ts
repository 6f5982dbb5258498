// The cut of a notification's text into its envelope and its alerts' texts: each piece
// parsed alone gives what parsing the whole gives, and a text of another shape is left
// to a whole parse (undefined).
import { describe, expect, it } from 'vitest';
import { splitArrayMember } from '../../../../src/heal/receive/json-pieces.js';

/** What the pieces parse to, put back together. */
function reassembled(text: string): unknown {
  const pieces = splitArrayMember(text, 'alerts');
  if (pieces === undefined) return undefined;
  const envelope = JSON.parse(pieces.envelope) as Record<string, unknown>;
  envelope.alerts = pieces.elements.map(([start, end]) => JSON.parse(text.slice(start, end)));
  return envelope;
}

describe('splitArrayMember', () => {
  it.each([
    ['alerts last', '{"version":"4","alerts":[{"a":1},{"b":[2,3]}]}'],
    ['alerts first', '{"alerts":[{"a":1}],"version":"4","receiver":"x"}'],
    ['an empty array', '{"version":"4","alerts":[]}'],
    [
      'whitespace everywhere',
      ' \n{ "version" : "4" ,\t"alerts" : [ {"a" : 1} ,\r\n {"b":2} ] } \n',
    ],
    [
      'brackets, commas and quotes inside strings',
      '{"alerts":[{"s":"a]},{\\"b\\":[","t":"\\\\"},{"u":"}"}],"x":"],["}',
    ],
    [
      'other members of every kind',
      '{"n":-1.5e3,"t":true,"f":false,"z":null,"o":{"alerts":[1]},"a":[[],{}],"alerts":[1,"two",null,[3],{"four":4}]}',
    ],
    ['unicode', '{"alerts":[{"summary":"∑ – ✓ 😀"}],"g":"é"}'],
  ])('cuts %s into pieces that parse to the whole', (_name, text) => {
    expect(reassembled(text)).toEqual(JSON.parse(text));
    // The same order of keys: the envelope keeps the array where it was.
    expect(Object.keys(reassembled(text) as object)).toEqual(Object.keys(JSON.parse(text)));
  });

  it('gives each alert its own text, spaces around it left out', () => {
    const text = '{"alerts":[ {"a":1} , "b" ,3 ]}';
    const pieces = splitArrayMember(text, 'alerts');
    expect(pieces?.envelope).toBe('{"alerts":[]}');
    expect(pieces?.elements.map(([start, end]) => text.slice(start, end))).toEqual([
      '{"a":1}',
      '"b"',
      '3',
    ]);
  });

  it.each([
    ['empty', ''],
    ['not an object', '[{"alerts":[]}]'],
    ['an empty object', '{}'],
    ['no alerts member', '{"version":"4"}'],
    ['alerts twice', '{"alerts":[1],"alerts":[2]}'],
    ['alerts not an array', '{"alerts":{"0":1}}'],
    ['an escape in a key', '{"\\u0061lerts":[1],"alerts":[2]}'],
    ['trailing garbage', '{"alerts":[1]} x'],
    ['a trailing comma in the array', '{"alerts":[1,]}'],
    ['a trailing comma in the object', '{"alerts":[1],}'],
    ['two values without a comma', '{"alerts":[1 2]}'],
    ['a missing colon', '{"alerts" [1]}'],
    ['an unclosed array', '{"version": "4", "alerts": ['],
    ['an unclosed string', '{"alerts":["abc]}'],
    ['an unclosed object in the array', '{"alerts":[{"a":1]}'],
  ])('leaves %s to a whole parse', (_name, text) => {
    expect(splitArrayMember(text, 'alerts')).toBeUndefined();
  });
});
