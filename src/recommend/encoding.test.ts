import { describe, expect, it } from 'vitest';
import { decodeFloat32, decodeInt32, encodeFloat32, encodeInt32 } from './encoding.js';

describe('typed array encoding', () => {
  it('writes little-endian IEEE 754 float32', () => {
    // 0.5 = 0x3F000000 → bytes 00 00 00 3F → base64 "AAAAPw=="
    expect(encodeFloat32([0.5])).toBe('AAAAPw==');
    expect([...decodeFloat32('AAAAPw==')]).toEqual([0.5]);
  });

  it('writes little-endian int32', () => {
    // [1, -1] → bytes 01 00 00 00 FF FF FF FF → base64 "AQAAAP////8="
    expect(encodeInt32([1, -1])).toBe('AQAAAP////8=');
    expect([...decodeInt32(encodeInt32([7, -3, 2 ** 31 - 1]))]).toEqual([7, -3, 2 ** 31 - 1]);
  });

  it('refuses a payload that is not whole numbers', () => {
    expect(() => decodeFloat32('AAA=')).toThrow(RangeError);
  });
});
