/**
 * Canonical JSON: the one byte string a JSON value hashes to, whoever serializes it.
 *
 * - Objects: members sorted by key, comparing keys as strings of UTF-16 code units (the
 *   order of JavaScript's default `Array.prototype.sort`); members whose value is
 *   `undefined` are left out, as `JSON.stringify` does.
 * - No whitespace anywhere: `{"a":1,"b":[true,null]}`.
 * - Strings: as `JSON.stringify` writes them (escapes `"`, `\`, control characters as
 *   `\b \f \n \r \t` or `\u00XX`, and lone surrogates as `\uDXXX`); other characters as is.
 * - Numbers: finite only, as JavaScript's `Number.prototype.toString` writes them (shortest
 *   round-trip form: `1`, `0.1`, `1e+21`; `-0` becomes `0`).
 * - `true`, `false`, `null`.
 * - Anything else (`undefined` in an array, `NaN`, `Infinity`, bigint, functions, symbols,
 *   Dates and other non-plain objects) is refused with a TypeError, so that two writers can
 *   never disagree about how it serializes.
 *
 * For these values this is the JSON Canonicalization Scheme of RFC 8785, which specifies
 * the same key order, string escaping and number form; the text is hashed as UTF-8.
 */

/**
 * Serializes a value in canonical JSON (see the module comment for the rules).
 *
 * @example
 * canonicalJson({ b: [1, 'x'], a: { d: null, c: true } }); // '{"a":{"c":true,"d":null},"b":[1,"x"]}'
 */
export function canonicalJson(value: unknown): string {
  return write(value, '$');
}

function write(value: unknown, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`${path}: ${value} has no JSON form`);
      // JSON.stringify writes -0 as 0 and otherwise like Number#toString.
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) {
        return `[${value.map((v, i) => {
          if (v === undefined) throw new TypeError(`${path}[${i}]: undefined in an array has no canonical form`);
          return write(v, `${path}[${i}]`);
        }).join(',')}]`;
      }
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) throw new TypeError(`${path}: only plain objects are allowed, got ${Object.prototype.toString.call(value)}`);
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).filter((k) => record[k] !== undefined).sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${write(record[k], `${path}.${k}`)}`).join(',')}}`;
    }
    default:
      throw new TypeError(`${path}: a ${typeof value} has no JSON form`);
  }
}
