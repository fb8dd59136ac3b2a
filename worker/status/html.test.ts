import { describe, expect, it } from 'vitest';
import { escapeHtml, html, trusted } from './html.ts';

describe('html template: repository data is always escaped', () => {
  it('escapes interpolated text for content and quoted attributes', () => {
    const evil = `<script>alert("x")</script>&'`;
    expect(html`<td title="${evil}">${evil}</td>`.value).toBe(
      '<td title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;</td>',
    );
    expect(escapeHtml('a&b')).toBe('a&amp;b');
  });

  it('nests templates and lists without escaping them twice', () => {
    const items = ['<a>', 'b&'].map((x) => html`<li>${x}</li>`);
    expect(html`<ul>${items}</ul>`.value).toBe('<ul><li>&lt;a&gt;</li><li>b&amp;</li></ul>');
  });

  it('renders nothing for null, undefined and false, and numbers as text', () => {
    expect(html`[${null}${undefined}${false}${0}${1.5}]`.value).toBe('[01.5]');
  });

  it('passes constants marked trusted through unchanged', () => {
    expect(html`<style>${trusted('a > b {}')}</style>`.value).toBe('<style>a > b {}</style>');
  });
});
