import { describe, expect, it } from 'vitest';
import { decodedPath, rawPath, rawPathAfter } from './raw-path.ts';

describe('raw request paths', () => {
  it('keeps the path exactly as sent: no decoding, no dot-segment resolution', () => {
    expect(rawPath('http://h/targets/%2e%2e/x?q=1#f')).toBe('/targets/%2e%2e/x');
    expect(rawPath('http://h/targets/files%2Fdemo/x')).toBe('/targets/files%2Fdemo/x');
    expect(rawPath('https://h:8787/a/../b')).toBe('/a/../b');
    expect(rawPath('http://h')).toBe('/');
    expect(rawPath('http://h?x=/y')).toBe('/');
  });

  it('cuts a mount prefix', () => {
    expect(rawPathAfter('http://h/targets/a/b', '/targets/')).toBe('a/b');
    expect(rawPathAfter('http://h/metadata/a', '/targets/')).toBeNull();
  });

  it('decodes, or refuses malformed encodings', () => {
    expect(decodedPath('files%2fdemo')).toBe('files/demo');
    expect(decodedPath('%2e%2e')).toBe('..');
    expect(decodedPath('bad%zz')).toBeNull();
    expect(decodedPath('%E0%A4%A')).toBeNull();
  });
});
