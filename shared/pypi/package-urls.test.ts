import { describe, expect, it } from 'vitest';
import { packageUrl, parsePackagePath } from './package-urls.ts';

const SHA = '0f'.repeat(32);

describe('package URLs', () => {
  it('a link the renderer builds parses back to its target', () => {
    const link = packageUrl('demo', SHA, 'demo-1.0-py3-none-any.whl');
    expect(link).toBe(`../../packages/demo/${SHA}/demo-1.0-py3-none-any.whl`);
    expect(parsePackagePath(link.slice('../../packages/'.length))).toEqual({
      distribution: 'files/demo/demo-1.0-py3-none-any.whl',
      sha256: SHA,
      target: 'files/demo/demo-1.0-py3-none-any.whl',
    });
  });

  it('<file>.metadata is the PEP 658 target, the hash still naming the distribution', () => {
    expect(parsePackagePath(`demo/${SHA}/demo-1.0.tar.gz.metadata`)).toEqual({
      distribution: 'files/demo/demo-1.0.tar.gz',
      sha256: SHA,
      target: 'files/demo/demo-1.0.tar.gz.metadata',
    });
  });

  it('refuses anything outside the grammar', () => {
    for (const raw of [
      `Demo/${SHA}/demo-1.0.tar.gz`, // unnormalised project
      `demo/${SHA.toUpperCase()}/demo-1.0.tar.gz`,
      `demo/${SHA.slice(1)}/demo-1.0.tar.gz`,
      `demo/${SHA}/other-1.0.tar.gz`, // another project's file
      `demo/${SHA}/demo-1.0.zip`,
      `demo/${SHA}/%2e%2e%2fx`,
      `demo/${SHA}/demo-1.0%ZZ.tar.gz`,
      `demo/${SHA}/a/demo-1.0.tar.gz`,
      `demo/${SHA}/`,
    ]) {
      expect(parsePackagePath(raw), raw).toBeNull();
    }
  });
});
