// Records as table rows: shapes, inferred types, what an existing table is refused for, values that do not fit.

import { describe, expect, it } from 'vitest';
import { encode, fieldsOf, inferColumns, parseColumns, shapeProblems, type Column } from './table-rows.ts';

describe('table rows', () => {
  it('makes a pair key and value (spread: the value fields), an object its fields, anything else a value', () => {
    expect(fieldsOf(['a', 1], false)).toEqual({ key: 'a', value: 1 });
    expect(fieldsOf(['a', { n: 1, key: 'ignored' }], true)).toEqual({ key: 'a', n: 1 });
    expect(fieldsOf(['a', 5], true)).toEqual({ key: 'a', value: 5 });
    expect(fieldsOf({ x: 1 }, false)).toEqual({ x: 1 });
    expect(fieldsOf('line', false)).toEqual({ value: 'line' });
    expect(fieldsOf([1, 2, 3], false)).toEqual({ value: [1, 2, 3] });
  });

  it('infers a type per column that takes every value of the batch', () => {
    const cols = inferColumns([
      { i: 1, f: 1, s: 'a', b: true, j: { a: 1 }, n: null, m: 1 },
      { i: 2, f: 2.5, s: 3, b: false, j: 'x', n: null, m: 'text' },
    ]);
    expect(cols).toEqual([
      { name: 'i', type: 'integer' },
      { name: 'f', type: 'float' },
      { name: 's', type: 'text' },
      { name: 'b', type: 'boolean' },
      { name: 'j', type: 'json' },
      { name: 'n', type: undefined },
      { name: 'm', type: 'text' },
    ]);
  });

  it('says what keeps an existing table from taking the rows', () => {
    const table = { columns: [{ name: 'key', type: 'text', sql: 'text' }, { name: 'value', type: 'integer', sql: 'bigint' }] as Column[], key: [] };
    expect(shapeProblems(table, [{ name: 'key', type: 'text' }, { name: 'value', type: 'text' }, { name: 'extra', type: 'integer' }], ['key'])).toEqual([
      "column 'value' is bigint, the rows have text",
      "no column 'extra'",
      'upsert on (key) needs it as the primary key; the table\'s is missing',
    ]);
    expect(shapeProblems({ ...table, key: ['key'] }, [{ name: 'value', type: 'integer' }, { name: 'key', type: undefined }], ['key'])).toEqual([]);
  });

  it('names the column a value does not fit', () => {
    const int: Column = { name: 'n', type: 'integer', sql: 'bigint' };
    expect(encode(5, int)).toEqual({ value: 5 });
    expect(encode(null, int)).toEqual({ value: null });
    expect(encode('abc', int)).toEqual({ error: `column 'n' is bigint and cannot take "abc"` });
    expect(encode(1.5, int)).toEqual({ error: "column 'n' is bigint and cannot take 1.5" });
    expect(encode(2, { name: 'f', type: 'float', sql: 'double precision' })).toEqual({ value: 2 });
    expect(encode({ a: 1 }, { name: 't', type: 'text', sql: 'text' })).toEqual({ value: '{"a":1}' });
    expect(encode('x', { name: 'j', type: 'json', sql: 'jsonb' })).toEqual({ value: '"x"' });
  });

  it('reads ?columns= and refuses what is not NAME:TYPE', () => {
    expect(parseColumns('a:text, b:INT,c:bool')).toEqual([{ name: 'a', type: 'text' }, { name: 'b', type: 'integer' }, { name: 'c', type: 'boolean' }]);
    expect(() => parseColumns('a:date')).toThrow(/'a:date' is not NAME:TYPE/);
    expect(() => parseColumns('a b:int')).toThrow(/NAME:TYPE/);
  });
});
