// PEP 691 content negotiation: what pip, uv, browsers and odd clients get.

import { describe, expect, it } from 'vitest';
import { negotiateSimpleFormat, SIMPLE_CONTENT_TYPES } from './negotiate.ts';

const JSON_V1 = { format: 'json', contentType: 'application/vnd.pypi.simple.v1+json' };
const HTML_V1 = { format: 'html', contentType: 'application/vnd.pypi.simple.v1+html' };
const TEXT_HTML = { format: 'html', contentType: 'text/html; charset=utf-8' };

describe('negotiateSimpleFormat', () => {
  it('gives pip JSON', () => {
    expect(
      negotiateSimpleFormat(
        'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01',
      ),
    ).toEqual(JSON_V1);
  });

  it('gives uv JSON', () => {
    expect(
      negotiateSimpleFormat(
        'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01',
      ),
    ).toEqual(JSON_V1);
  });

  it.each([null, undefined, '', '   '])('sends text/html without an Accept header (%j)', (accept) => {
    expect(negotiateSimpleFormat(accept)).toEqual(TEXT_HTML);
  });

  it('gives a browser text/html', () => {
    expect(
      negotiateSimpleFormat('text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8'),
    ).toEqual(TEXT_HTML);
  });

  it.each([
    ['*/*', TEXT_HTML],
    ['text/*', TEXT_HTML],
    ['text/html', TEXT_HTML],
    ['TEXT/HTML; charset=UTF-8', TEXT_HTML],
    ['application/vnd.pypi.simple.v1+json', JSON_V1],
    ['application/vnd.pypi.simple.latest+json', JSON_V1],
    ['application/vnd.pypi.simple.v1+html', HTML_V1],
    ['application/vnd.pypi.simple.latest+html', HTML_V1],
    ['Application/Vnd.PyPI.Simple.V1+JSON', JSON_V1],
  ])('maps %j', (accept, expected) => {
    expect(negotiateSimpleFormat(accept)).toEqual(expected);
  });

  it('honours q-values over listing order', () => {
    expect(negotiateSimpleFormat('text/html;q=0.5, application/vnd.pypi.simple.v1+json;q=0.6')).toEqual(JSON_V1);
    expect(negotiateSimpleFormat('application/vnd.pypi.simple.v1+json;q=0.5, text/html')).toEqual(TEXT_HTML);
    expect(negotiateSimpleFormat('application/vnd.pypi.simple.v1+json;q=0.001, application/vnd.pypi.simple.v1+html;q=0.002')).toEqual(HTML_V1);
  });

  it('breaks ties by the order the client listed', () => {
    expect(negotiateSimpleFormat('application/vnd.pypi.simple.v1+html, application/vnd.pypi.simple.v1+json')).toEqual(HTML_V1);
    expect(negotiateSimpleFormat('application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html')).toEqual(JSON_V1);
    expect(negotiateSimpleFormat('text/html;q=0.5, application/vnd.pypi.simple.v1+json;q=0.5')).toEqual(TEXT_HTML);
    expect(negotiateSimpleFormat('*/*, application/vnd.pypi.simple.v1+json')).toEqual(TEXT_HTML);
  });

  it('excludes types with q=0', () => {
    expect(negotiateSimpleFormat('application/vnd.pypi.simple.v1+json;q=0, text/html;q=0.1')).toEqual(TEXT_HTML);
    expect(negotiateSimpleFormat('application/vnd.pypi.simple.v1+json;q=0.000')).toBeNull();
    expect(negotiateSimpleFormat('text/html;q=0')).toBeNull();
  });

  it('lets an explicit text/html;q=0 win over a wildcard (the most specific range decides)', () => {
    expect(negotiateSimpleFormat('text/html;q=0, */*')).toBeNull();
    expect(negotiateSimpleFormat('*/*;q=0, text/html;q=0.3')).toEqual(TEXT_HTML);
    expect(negotiateSimpleFormat('text/*;q=0, */*')).toBeNull();
    expect(negotiateSimpleFormat('text/html;q=0, */*, application/vnd.pypi.simple.v1+json;q=0.1')).toEqual(JSON_V1);
  });

  it.each(['application/json', 'image/png', 'application/vnd.pypi.simple.v2+json', 'application/*', 'text/plain'])(
    'answers null (406) for %j alone',
    (accept) => {
      expect(negotiateSimpleFormat(accept)).toBeNull();
    },
  );

  it('skips entries with a malformed weight and unknown types', () => {
    expect(negotiateSimpleFormat('application/vnd.pypi.simple.v1+json;q=2, text/html;q=0.1')).toEqual(TEXT_HTML);
    expect(negotiateSimpleFormat('application/vnd.pypi.simple.v1+json;q=abc, text/html;q=0.1')).toEqual(TEXT_HTML);
    expect(negotiateSimpleFormat('application/vnd.pypi.simple.v1+json;q=0.1234, application/vnd.pypi.simple.v1+html;q=0.1')).toEqual(HTML_V1);
    expect(negotiateSimpleFormat('application/json, application/vnd.pypi.simple.v1+html;q=0.1')).toEqual(HTML_V1);
  });

  it('treats a header with no well-formed entry like no header', () => {
    expect(negotiateSimpleFormat(',,')).toEqual(TEXT_HTML);
    expect(negotiateSimpleFormat('garbage')).toEqual(TEXT_HTML);
  });

  it('ignores other parameters and whitespace', () => {
    expect(negotiateSimpleFormat('  application/vnd.pypi.simple.v1+json ; charset=utf-8 ; Q=0.9 ,text/html;q=0.8')).toEqual(JSON_V1);
  });

  it('takes the best weight when a type is listed twice', () => {
    expect(
      negotiateSimpleFormat('application/vnd.pypi.simple.v1+json;q=0.1, text/html;q=0.5, application/vnd.pypi.simple.latest+json;q=0.9'),
    ).toEqual(JSON_V1);
  });

  it('exposes the Content-Types it sends', () => {
    expect(SIMPLE_CONTENT_TYPES).toEqual({
      json: 'application/vnd.pypi.simple.v1+json',
      html: 'application/vnd.pypi.simple.v1+html',
      textHtml: 'text/html; charset=utf-8',
    });
    expect(Object.isFrozen(SIMPLE_CONTENT_TYPES)).toBe(true);
  });
});
