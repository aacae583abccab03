/** JSON values as they travel through Tailor. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/**
 * Reads a JSON column back: SQLite hands us text, PostgreSQL's jsonb arrives parsed.
 *
 * @example
 * readJson<{ a: number }>('{"a":1}'); // { a: 1 }
 */
export function readJson<T>(value: unknown, fallback: T): T {
  if (value === null || value === undefined) return fallback;
  if (typeof value === 'string') {
    try {
      return JSON.parse(value) as T;
    } catch (cause) {
      throw new Error(`stored JSON is not valid: ${value.slice(0, 80)}`, { cause });
    }
  }
  return value as T;
}

/**
 * `JSON.parse` that bounds nesting depth and drops `__proto__` keys. Used on every request
 * body before validation.
 *
 * The depth is checked on the text before parsing, so that hostile nesting never reaches
 * the (recursive) parser. The key filter runs only when the text could spell `__proto__`
 * (literally or through a `\u` escape), keeping the common path at native speed.
 *
 * @example
 * safeParseJson('{"a":1}', { maxDepth: 32 }); // { ok: true, value: { a: 1 } }
 */
export function safeParseJson(text: string, options: { maxDepth: number }): { ok: true; value: unknown } | { ok: false; reason: string } {
  if (nestingDepth(text, options.maxDepth) > options.maxDepth) return { ok: false, reason: `JSON nested deeper than ${options.maxDepth} levels` };
  const risky = text.includes('__proto__') || text.includes('\\u');
  try {
    const value: unknown = risky
      ? JSON.parse(text, (key, v: unknown) => (key === '__proto__' ? undefined : v))
      : JSON.parse(text);
    return { ok: true, value };
  } catch (error) {
    return { ok: false, reason: `malformed JSON: ${(error as Error).message}` };
  }
}

/**
 * Deepest bracket nesting in JSON text, ignoring brackets inside strings; stops early past
 * `stopAfter`. A string is skipped by searching for its closing quote (an escaped quote has an
 * odd run of backslashes before it): on event batches, whose text is mostly strings, that is
 * about a third of the time of looking at every character.
 */
export function nestingDepth(text: string, stopAfter: number): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      let from = i + 1;
      for (;;) {
        const quote = text.indexOf('"', from);
        // Unterminated: the parser reports it.
        if (quote === -1) return max;
        let b = quote - 1;
        while (b > i && text.charCodeAt(b) === 92 /* \ */) b--;
        if ((quote - 1 - b) % 2 === 0) {
          i = quote;
          break;
        }
        from = quote + 1;
      }
    } else if (c === 123 || c === 91 /* { [ */) {
      if (++depth > max) {
        max = depth;
        if (max > stopAfter) return max;
      }
    } else if (c === 125 || c === 93 /* } ] */) depth--;
  }
  return max;
}
