import { describe, expect, it } from 'vitest';
import { contentRange, planRange } from './range.ts';

describe('planRange (RFC 9110 14)', () => {
  it('serves the full object without a usable single range', () => {
    for (const header of [null, '', 'bytes=', 'bytes=-', 'items=0-1', 'bytes=5-2', 'bytes=0-1,4-5', 'bytes=a-b', 'bytes 0-1']) {
      expect(planRange(header, 10), String(header)).toEqual({ kind: 'full' });
    }
  });

  it('plans first-last, open-ended and suffix ranges', () => {
    expect(planRange('bytes=2-4', 10)).toEqual({ kind: 'partial', offset: 2, length: 3 });
    expect(planRange('BYTES = 2-4 ', 10)).toEqual({ kind: 'partial', offset: 2, length: 3 });
    expect(planRange('bytes=0-0', 10)).toEqual({ kind: 'partial', offset: 0, length: 1 });
    expect(planRange('bytes=7-', 10)).toEqual({ kind: 'partial', offset: 7, length: 3 });
    expect(planRange('bytes=-3', 10)).toEqual({ kind: 'partial', offset: 7, length: 3 });
  });

  it('clamps the end to the object and a long suffix to all of it', () => {
    expect(planRange('bytes=5-999', 10)).toEqual({ kind: 'partial', offset: 5, length: 5 });
    expect(planRange('bytes=-999', 10)).toEqual({ kind: 'partial', offset: 0, length: 10 });
    expect(planRange('bytes=0-99999999999999999999', 10)).toEqual({ kind: 'partial', offset: 0, length: 10 });
  });

  it('is unsatisfiable past the end, for -0, and for an empty object', () => {
    expect(planRange('bytes=10-', 10)).toEqual({ kind: 'unsatisfiable' });
    expect(planRange('bytes=10-20', 10)).toEqual({ kind: 'unsatisfiable' });
    expect(planRange('bytes=99999999999999999999-', 10)).toEqual({ kind: 'unsatisfiable' });
    expect(planRange('bytes=-0', 10)).toEqual({ kind: 'unsatisfiable' });
    expect(planRange('bytes=0-', 0)).toEqual({ kind: 'unsatisfiable' });
    expect(planRange('bytes=-1', 0)).toEqual({ kind: 'unsatisfiable' });
  });

  it('formats Content-Range', () => {
    expect(contentRange(2, 3, 10)).toBe('bytes 2-4/10');
  });
});
