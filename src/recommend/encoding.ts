/**
 * Typed arrays as base64 text, little-endian whatever the host, so that a model serialized on
 * one machine loads on any other. 4 bytes per number: about a third of the size of JSON
 * number arrays for float weights.
 */

/**
 * Float32 values as base64 (values are rounded to float32).
 *
 * @example
 * decodeFloat32(encodeFloat32([0.5, -2])); // Float32Array [0.5, -2]
 */
export function encodeFloat32(values: ArrayLike<number>): string {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/**
 * The inverse of encodeFloat32.
 *
 * @example
 * decodeFloat32('AAAAPw=='); // Float32Array [0.5]
 */
export function decodeFloat32(text: string): Float32Array {
  const view = bytesOf(text, 'float32');
  const out = new Float32Array(view.byteLength / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

/**
 * Int32 values as base64.
 *
 * @example
 * decodeInt32(encodeInt32([1, -1])); // Int32Array [1, -1]
 */
export function encodeInt32(values: ArrayLike<number>): string {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setInt32(i * 4, values[i]!, true);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/**
 * The inverse of encodeInt32.
 *
 * @example
 * decodeInt32('AQAAAA=='); // Int32Array [1]
 */
export function decodeInt32(text: string): Int32Array {
  const view = bytesOf(text, 'int32');
  const out = new Int32Array(view.byteLength / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getInt32(i * 4, true);
  return out;
}

function bytesOf(text: string, what: string): DataView {
  const buf = Buffer.from(text, 'base64');
  if (buf.byteLength % 4 !== 0) throw new RangeError(`${what} payload has ${buf.byteLength} bytes, not a multiple of 4`);
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
}
